// The root npm scripts a newcomer runs first, run for real: `npm start` (ready line, Ctrl-C and
// SIGTERM end everything with exit code 0) and `npm run bench -- --help`.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually, freePort } from '@obslab/process';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

/** `npm <args>` in the repository, in its own process group (as a terminal's foreground job is). */
function npm(args: readonly string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn('npm', args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

describe('npm start', { timeout: 300_000 }, () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'obslab-npm-start-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const start = async () => {
    const port = await freePort();
    const env = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      OBSLAB_SKIP_INSTALL: '1',
    };
    const started = npm(['start'], env);
    try {
      await eventually(
        () => assert.match(started.output(), new RegExp(`task-api is ready: http://localhost:${port}\\b`)),
        { timeoutMs: 180_000, intervalMs: 500, description: 'the ready line' },
      );
    } catch (error) {
      process.kill(-started.child.pid!, 'SIGKILL');
      throw new Error(`${(error as Error).message}\n${started.output()}`);
    }
    return { ...started, port };
  };

  it('prints the URL once the service answers; Ctrl-C ends everything with exit code 0 and no failure', async () => {
    const { child, output, exit, port } = await start();
    try {
      assert.ok(await answers(`http://127.0.0.1:${port}/api/tasks`), 'the API answers at the printed port');
      process.kill(-child.pid!, 'SIGINT'); // what a terminal's Ctrl-C does: the whole foreground group
      assert.equal(await exit, 0, output());
      assert.doesNotMatch(output(), /failed|ELIFECYCLE|npm error/i);
      assert.match(output(), /"msg":"stopped"/);
      assert.equal(await answers(`http://127.0.0.1:${port}/health/live`), false, 'nothing listens any more');
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });

  it('SIGTERM to the npm process alone ends the service too, with exit code 0', async () => {
    const { child, output, exit, port } = await start();
    try {
      child.kill('SIGTERM');
      assert.equal(await exit, 0, output());
      assert.match(output(), /"signal":"SIGTERM".*"msg":"shutting down"/);
      assert.equal(await answers(`http://127.0.0.1:${port}/health/live`), false, 'nothing listens any more');
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the whole group is gone, as it should be
      }
    }
  });
});

describe('npm run bench -- --help', { timeout: 180_000 }, () => {
  it("reaches the benchmark's own help", async () => {
    const { exit, output } = npm(['run', 'bench', '--', '--help'], {
      ...process.env,
      OBSLAB_SKIP_INSTALL: '1',
    });
    assert.equal(await exit, 0, output());
    assert.match(output(), /^Usage: npm run bench -- /m);
    assert.match(output(), /--connections N\S* +concurrent connections/);
  });
});
