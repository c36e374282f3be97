import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { startControlPlane } from './control-plane.harness.js';
import { eventually } from '@obslab/process';
import { skipUnlessKubeBinaries } from './kube-binaries.js';

const skip = skipUnlessKubeBinaries();
/** Whether `pid` runs (a zombie waiting for init to reap it counts as gone). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('startControlPlane', { skip, timeout: 120_000 }, () => {
  it('starts within 10 seconds and stop() removes everything, even when called twice', async () => {
    const started = Date.now();
    const controlPlane = await startControlPlane();
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    assert.match(controlPlane.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(existsSync(controlPlane.kubeconfigPath));
    assert.deepEqual(
      controlPlane.processes.map((p) => p.name),
      ['etcd', 'kube-apiserver', 'kube-controller-manager'],
    );

    await Promise.all([controlPlane.stop(), controlPlane.stop()]);
    await controlPlane.stop();
    for (const p of controlPlane.processes) assert.ok(!alive(p.pid), `${p.name} still runs`);
    assert.ok(!existsSync(controlPlane.workDir), 'work dir removed');
  });

  it('kills the components and removes the work dir when the process dies without stop()', async () => {
    // A child process starts a control plane, prints it, then crashes on an uncaught error.
    const script = `
      const { startControlPlane } = await import(${JSON.stringify(new URL('./control-plane.harness.js', import.meta.url).href)});
      const cp = await startControlPlane();
      console.log(JSON.stringify({ workDir: cp.workDir, pids: cp.processes.map((p) => p.pid) }));
      throw new Error('test failed without cleanup');
    `;
    const stdout = await new Promise<string>((resolve) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 }, (_error, out) =>
        resolve(out),
      );
    });
    const { workDir, pids } = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      workDir: string;
      pids: number[];
    };
    assert.equal(pids.length, 3);
    // SIGKILL is delivered asynchronously; give the kernel a moment to tear the processes down.
    await eventually(() => pids.forEach((pid) => assert.ok(!alive(pid), `pid ${pid} still runs`)), {
      timeoutMs: 5_000,
      intervalMs: 50,
    });
    assert.ok(!existsSync(workDir), `${workDir} left behind`);
  });

  it('rejects a negative number of fake nodes before starting anything', async () => {
    await assert.rejects(startControlPlane({ fakeNodes: -1 }), /fakeNodes must be a whole number/);
  });

  it('names the component and its log when a component cannot start', async () => {
    await assert.rejects(
      startControlPlane({ featureGates: { NoSuchFeatureGate: true } }),
      /kube-apiserver exited during start-up \(code 1.*\n?.*kube-apiserver\.log ends with:[\s\S]*NoSuchFeatureGate/,
    );
  });
});
