// What the operator refuses or reports: CEL rejections at admission, a spec the chart cannot render,
// storage.className kept, the documented examples, a second lab in a namespace.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { eventually } from '@obslab/process';
import { type OperatorSuite, root } from './operator-suite.setup.js';

/** Registers this group in the current describe; `suite` is the one control plane of the file. */
export function describeValidation(suite: OperatorSuite): void {
  const {
    kubectl,
    getJson,
    exists,
    lab,
    condition,
    applyLab,
    patchLab,
    createNamespace,
    generationOf,
    readyLab,
  } = suite;
  it('rejects invalid resources at admission with the CEL message, changing nothing', async () => {
    const before = await lab('lab-a');
    const attempts: [string, () => Promise<unknown>, RegExp][] = [
      [
        'several replicas on SQLite',
        () => patchLab('lab-a', { spec: { taskApi: { replicas: 3 } } }),
        /taskApi\.replicas above 1 needs database\.mode: postgres/,
      ],
      [
        'database mode change',
        () => patchLab('lab-a', { spec: { database: { mode: 'postgres' } } }),
        /database\.mode cannot change after creation/,
      ],
      [
        'same host twice',
        () => patchLab('lab-a', { spec: { ingress: { appHost: 'grafana.obslab.example.test' } } }),
        /ingress\.appHost and ingress\.grafanaHost must differ/,
      ],
      [
        'size change',
        () => patchLab('lab-a', { spec: { size: 'large' } }),
        /size cannot change after creation/,
      ],
      [
        'unknown size',
        () => patchLab('lab-a', { spec: { size: 'huge' } }),
        /spec\.size: Unsupported value: "huge"/,
      ],
      [
        'replicas out of range',
        () => patchLab('lab-a', { spec: { frontend: { replicas: 50 } } }),
        /spec\.frontend\.replicas: Invalid value: 50/,
      ],
    ];
    for (const [what, attempt, message] of attempts) {
      await assert.rejects(attempt(), (error: Error) => {
        assert.match(error.message, message, what);
        return true;
      });
    }
    await createNamespace('lab-invalid');
    await assert.rejects(
      applyLab('lab-invalid', { taskApi: { replicas: 2 } }),
      /needs database\.mode: postgres/,
    );
    assert.equal(await exists('-n', 'lab-invalid', 'olab'), false);
    const after = await lab('lab-a');
    assert.equal(after.metadata.generation, before.metadata.generation);
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  });

  it('reports a spec the chart cannot render as Degraded/InvalidSpec, and recovers when it is fixed', async () => {
    const frontend = await getJson('-n', 'lab-a', 'deployment', 'frontend');
    await patchLab('lab-a', { spec: { images: { frontend: 'obslab/frontend:latest' } } });
    const degraded = await eventually(
      async () => {
        const current = await lab('lab-a');
        assert.equal(condition(current, 'Degraded')?.status, 'True', JSON.stringify(current.status));
        assert.equal(current.status?.observedGeneration, current.metadata.generation);
        return current;
      },
      { timeoutMs: 30_000, description: 'Degraded' },
    );
    assert.equal(condition(degraded, 'Degraded')?.reason, 'InvalidSpec');
    assert.match(condition(degraded, 'Degraded')!.message, /latest/);
    assert.equal(condition(degraded, 'Ready')?.status, 'False');
    const untouched = await getJson('-n', 'lab-a', 'deployment', 'frontend');
    assert.equal(untouched.metadata.resourceVersion, frontend.metadata.resourceVersion, 'nothing applied');
    await patchLab('lab-a', { spec: { images: { frontend: null } } });
    const ready = await readyLab('lab-a', await generationOf('lab-a'));
    assert.equal(condition(ready, 'Degraded')?.status, 'False');
  });

  it('keeps storage.className once set', async () => {
    await createNamespace('lab-class');
    await applyLab('lab-class', {
      storage: { className: 'fast' },
      components: { grafana: { enabled: false } },
    });
    await assert.rejects(
      patchLab('lab-class', { spec: { storage: { className: 'slow' } } }),
      /storage\.className cannot change once set/,
    );
    await kubectl('-n', 'lab-class', 'delete', 'olab', 'demo', '--wait=true', '--timeout=60s');
  });

  it('accepts the documented examples (server-side dry run, CEL rules included)', async () => {
    await createNamespace('obslab');
    await createNamespace('obslab-pg');
    const out = await kubectl('apply', '--dry-run=server', '-f', join(root, 'operator/examples/'));
    assert.match(out, /observabilitylab\.lab\.obslab\.dev\/lab created \(server dry run\)/);
    assert.equal(out.trim().split('\n').length, 2, out);
  });

  it('refuses a second lab in a namespace: Degraded OwnedByAnotherLab, nothing touched', async () => {
    const frontend = await getJson('-n', 'lab-a', 'deployment', 'frontend');
    await applyLab('lab-a', {}, 'second');
    const second = await eventually(
      async () => {
        const current = await lab('lab-a', 'second');
        const degraded = condition(current, 'Degraded');
        assert.equal(degraded?.status, 'True', JSON.stringify(current.status));
        assert.equal(degraded?.reason, 'OwnedByAnotherLab');
        return current;
      },
      { timeoutMs: 30_000, description: 'second lab Degraded' },
    );
    assert.match(
      condition(second, 'Degraded')!.message,
      /ObservabilityLab demo already runs in namespace lab-a/,
    );
    const after = await getJson('-n', 'lab-a', 'deployment', 'frontend');
    assert.equal(
      after.metadata.resourceVersion,
      frontend.metadata.resourceVersion,
      "the first lab's objects untouched",
    );
    await kubectl('-n', 'lab-a', 'delete', 'olab', 'second', '--wait=true', '--timeout=60s');
    assert.equal(
      (await getJson('-n', 'lab-a', 'deployment', 'frontend')).metadata.uid,
      frontend.metadata.uid,
    );
  });
}
