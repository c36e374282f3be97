import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findKubeBinaries, kubeBinariesHint, skipUnlessKubeBinaries } from '@obslab/control-plane';
import { isAlive } from './cluster-state.js';
import { runLab } from '../testing/run-lab.js';

const lab = runLab;

describe('lab cluster', () => {
  let cache: string;
  let envWithout: NodeJS.ProcessEnv;
  before(async () => {
    cache = await mkdtemp(join(tmpdir(), 'obslab-lab-'));
    envWithout = { ...process.env, OBSLAB_CACHE: cache, KUBEBUILDER_ASSETS: '' };
  });
  after(() => rm(cache, { recursive: true, force: true }));

  it('lists up, down and status in its help', async () => {
    const { code, stdout } = await lab(['cluster', '--help'], envWithout);
    assert.equal(code, 0);
    for (const command of ['up', 'images', 'down', 'status'])
      assert.match(stdout, new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('fails with what to install when the Kubernetes binaries are missing', async () => {
    const { code, stderr } = await lab(['cluster', 'up'], envWithout);
    assert.equal(code, 1);
    assert.match(stderr, /binaries not found/);
    assert.ok(stderr.includes(kubeBinariesHint), stderr);
  });

  it('refuses --node together with --fake-nodes as a usage error (exit 2), starting nothing', async () => {
    const { code, stderr } = await lab(['cluster', 'up', '--node', '--fake-nodes', '1'], envWithout);
    assert.equal(code, 2);
    assert.match(stderr, /--node and --fake-nodes do not go together/);
    assert.ok(!existsSync(join(cache, 'cluster')), 'no state directory');
  });

  it('lists images among the cluster commands, and refuses to import without a running real node (exit 1, what to run)', async () => {
    const help = await lab(['cluster', 'images', '--help'], envWithout);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /import it\s+into the real node/);
    const { code, stderr } = await lab(['cluster', 'images'], envWithout);
    assert.equal(code, 1);
    assert.match(stderr, /no cluster runs/);
    assert.match(stderr, /lab cluster up --node/);
    const bogus = await lab(['cluster', 'images', '--bogus'], envWithout);
    assert.equal(bogus.code, 2);
    // An unknown image is a usage error whether or not a cluster runs.
    const unknown = await lab(['cluster', 'images', 'no-such-image'], envWithout);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown image no-such-image/);
  });

  it('says nothing runs, with exit code 1, before any up', async () => {
    const { code, stdout, stderr } = await lab(['cluster', 'status'], envWithout);
    assert.equal(code, 1);
    assert.match(stdout, /not running/);
    assert.match(stderr, /lab cluster up/);
  });

  const binaries = findKubeBinaries();
  it(
    'starts a control plane in the background, reports it, and stops it leaving nothing behind',
    { skip: skipUnlessKubeBinaries(), timeout: 120_000 },
    async () => {
      const env = { ...process.env, OBSLAB_CACHE: cache, KUBEBUILDER_ASSETS: binaries!.binDir };
      const up = await lab(['cluster', 'up', ...(binaries?.kwok ? ['--fake-nodes', '1'] : [])], env);
      assert.equal(up.code, 0, up.stderr);
      const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(up.stdout)?.[1];
      assert.ok(kubeconfig && existsSync(kubeconfig), up.stdout);
      const state = JSON.parse(await readFile(join(cache, 'cluster', 'state.json'), 'utf8')) as {
        daemonPid: number;
        processes: { pid: number }[];
      };
      try {
        const status = await lab(['cluster', 'status'], env);
        assert.equal(status.code, 0, status.stderr);
        assert.match(status.stdout, /^running: Kubernetes v1\.34\.\d+ at https:\/\/127\.0\.0\.1:\d+/m);
        if (binaries?.kwok) assert.match(status.stdout, /^fake nodes: kwok-node-0$/m);
      } finally {
        const down = await lab(['cluster', 'down'], env);
        assert.equal(down.code, 0, down.stderr);
      }
      for (const pid of [state.daemonPid, ...state.processes.map((p) => p.pid)])
        assert.ok(!isAlive(pid), `pid ${pid} still runs`);
      assert.ok(!existsSync(join(cache, 'cluster')), 'state directory removed');
    },
  );
});
