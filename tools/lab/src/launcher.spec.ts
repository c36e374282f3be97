import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from '@obslab/process';
import { labBin, runLab } from './testing/run-lab.js';

// The launcher must work from a shell whose `node` is not the pinned one, e.g. Debian 12's Node 20.
const systemNode = '/usr/bin/node';
const pinned = readFileSync(fileURLToPath(new URL('../../../.nvmrc', import.meta.url)), 'utf8').trim();
const systemVersion = existsSync(systemNode)
  ? execFileSync(systemNode, ['--version'], { encoding: 'utf8' }).trim()
  : undefined;
const skip =
  systemVersion === undefined
    ? `no ${systemNode} on this machine`
    : systemVersion === `v${pinned}`
      ? `${systemNode} is the pinned Node ${pinned}: nothing to re-execute`
      : false;

// A shell's PATH without the pinned Node the test runner itself runs on; no reinstall mid-test.
const shellEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  OBSLAB_SKIP_INSTALL: '1',
};

describe(`the lab launcher under the system's Node (${systemVersion ?? 'none'})`, { skip }, () => {
  it('runs lab --help on the pinned Node', async () => {
    const { code, stdout, stderr } = await runLab(['--help'], shellEnv, { node: systemNode });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Usage: lab \[options\] \[command\]/m);
    assert.doesNotMatch(stderr, /cannot load|Cannot read properties/);
  });

  it('passes the exit code of a usage error through (2)', async () => {
    const { code, stderr } = await runLab(['cluster', 'up', '--timeout', 'soon'], shellEnv, {
      node: systemNode,
    });
    assert.equal(code, 2, stderr);
    assert.match(stderr, /--timeout must be a positive number/);
  });

  /**
   * Starts `lab verify` through the launcher against a server that accepts and never answers (the
   * CLI, on the pinned Node, waits), sends `signal` as `kill` does, and checks that the CLI ended
   * with the launcher: its connection closes well before the CLI's 10 s request timeout would
   * close it, and no new one comes (an orphaned CLI would retry). Returns the launcher's exit code.
   */
  async function signalled(kill: (launcher: ChildProcess) => void): Promise<number | null> {
    const sockets: Socket[] = [];
    let closed = 0;
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('close', () => closed++);
      socket.on('error', () => undefined);
      socket.resume(); // read (and drop) the request, so that the peer's end is seen
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const launcher = spawn(
      systemNode,
      [labBin, 'verify', '--url', `http://127.0.0.1:${port}`, '--only', 'app', '--wait', '60'],
      { env: shellEnv, stdio: 'ignore', detached: true },
    );
    const exited = new Promise<number | null>((resolve) => launcher.on('exit', (code) => resolve(code)));
    try {
      await eventually(() => assert.ok(sockets.length > 0, 'the CLI connected'), { timeoutMs: 30_000 });
      kill(launcher);
      const code = await exited;
      await eventually(() => assert.equal(closed, sockets.length, `${closed} of ${sockets.length} closed`), {
        timeoutMs: 4_000,
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal(sockets.length, 1, 'no new connection after the launcher ended');
      return code;
    } finally {
      try {
        process.kill(-launcher.pid!, 'SIGKILL');
      } catch {
        // the group is gone, as it should be
      }
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  }

  it('passes SIGTERM on to the CLI it started, so nothing is left running', { timeout: 60_000 }, async () => {
    assert.equal(await signalled((launcher) => launcher.kill('SIGTERM')), 128 + 15);
  });

  it(
    "ends with the CLI on a terminal's Ctrl-C (SIGINT to the process group)",
    { timeout: 60_000 },
    async () => {
      assert.equal(await signalled((launcher) => process.kill(-launcher.pid!, 'SIGINT')), 128 + 2);
    },
  );
});
