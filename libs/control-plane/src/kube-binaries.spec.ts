import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  findKubeBinaries,
  kubeBinariesHint,
  kubeVersion,
  MissingKubeBinariesError,
  requireKubeBinaries,
} from './kube-binaries.js';

async function fakeBinDir(root: string, names: readonly string[]): Promise<string> {
  await mkdir(root, { recursive: true });
  for (const name of names) {
    await writeFile(join(root, name), '#!/bin/sh\n');
    await chmod(join(root, name), 0o755);
  }
  return root;
}

describe('findKubeBinaries', () => {
  let root: string;
  before(async () => (root = await mkdtemp(join(tmpdir(), 'obslab-bins-'))));
  after(() => rm(root, { recursive: true, force: true }));

  it('prefers KUBEBUILDER_ASSETS when it holds all three programs', async () => {
    const assets = await fakeBinDir(join(root, 'assets'), [
      'kube-apiserver',
      'kube-controller-manager',
      'etcd',
    ]);
    const found = findKubeBinaries({
      env: { KUBEBUILDER_ASSETS: assets, OBSLAB_CACHE: join(root, 'cache') },
    });
    assert.equal(found?.binDir, assets);
    assert.equal(found?.kubectl, undefined);
  });

  it('falls back to the build cache of the pinned release', async () => {
    const cached = await fakeBinDir(join(root, 'cache', 'kube', kubeVersion, 'bin'), [
      'kube-apiserver',
      'kube-controller-manager',
      'etcd',
      'kubectl',
    ]);
    const partial = await fakeBinDir(join(root, 'envtest'), ['kube-apiserver', 'etcd']);
    const found = findKubeBinaries({
      env: { KUBEBUILDER_ASSETS: partial, OBSLAB_CACHE: join(root, 'cache') },
    });
    assert.equal(found?.binDir, cached);
    assert.equal(found?.kubectl, join(cached, 'kubectl'));
  });

  it('returns undefined when nothing is installed, and requireKubeBinaries explains what to do', () => {
    const env = { OBSLAB_CACHE: join(root, 'empty') };
    assert.equal(findKubeBinaries({ env }), undefined);
    assert.throws(
      () => requireKubeBinaries({ env }),
      (error: unknown) =>
        error instanceof MissingKubeBinariesError && error.message.includes(kubeBinariesHint),
    );
    assert.match(kubeBinariesHint, /scripts\/ensure-kube-binaries\.sh.*KUBEBUILDER_ASSETS/);
  });
});
