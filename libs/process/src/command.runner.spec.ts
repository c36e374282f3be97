import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { CommandError, run } from './command.runner.js';

describe('run', () => {
  it('passes arguments as an array, untouched by any shell', async () => {
    const { stdout } = await run(process.execPath, ['-e', 'console.log(process.argv[1])', '$HOME; echo hi']);
    assert.equal(stdout.trim(), '$HOME; echo hi');
  });

  it('names the command, the exit code and the end of stderr when a program fails', async () => {
    await assert.rejects(
      run(process.execPath, ['-e', 'console.error("boom"); process.exit(3)']),
      (error: unknown) => {
        assert.ok(error instanceof CommandError);
        assert.equal(error.exitCode, 3);
        assert.match(error.message, /exited with code 3/);
        assert.match(error.message, /boom/);
        assert.match(error.message, new RegExp(process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        return true;
      },
    );
  });

  it('passes input on stdin and survives a program that ignores it', async () => {
    const { stdout } = await run(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], {
      input: 'hello',
    });
    assert.equal(stdout, 'hello');
    for (let i = 0; i < 20; i++) await run('true', [], { input: 'x'.repeat(1 << 20) });
  });

  it('says when a program is not installed', async () => {
    await assert.rejects(run('obslab-no-such-program', []), /not installed or not on PATH/);
  });

  it('kills a program that outlives its time limit', async () => {
    await assert.rejects(
      run(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { timeoutMs: 200 }),
      /killed by SIGKILL \(time limit 200 ms\)/,
    );
  });

  it('does not keep the caller alive until the time limit when the program cannot start', async () => {
    // A separate Node that only runs a missing program with a 60 s limit: it must exit at once.
    const module = new URL('./command.runner.js', import.meta.url).href;
    const script = `import(${JSON.stringify(module)}).then((m) => m.run('obslab-no-such-program', [], { timeoutMs: 60000 }).catch(() => {}))`;
    const started = Date.now();
    await promisify(execFile)(process.execPath, ['-e', script], { timeout: 30_000 });
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });
});
