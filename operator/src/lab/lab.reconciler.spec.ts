import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KubeObject } from '../runtime/kube.client.js';
import { MemoryCluster } from '../testing/memory-cluster.js';
import { DesiredStateCache, desiredState } from './lab.desired.js';
import { LabApplyError } from './lab.errors.js';
import { LabReconciler } from './lab.reconciler.js';
import { labOf as baseLab } from '../testing/lab-fixture.js';
import { type LabSpecInput } from './lab.schema.js';
import { type LabStore } from './lab.store.js';
import { labFinalizer, labLabels, type LabStatus, type ObservabilityLab } from './lab.types.js';

const now = new Date('2026-11-30T12:00:00.000Z');
const desired = new DesiredStateCache(); // pure per uid and spec: shared to render each spec once

/** The fixture lab as the reconciler meets it: created, with its finalizer. */
const labOf = (spec: LabSpecInput = {}, metadata: Partial<ObservabilityLab['metadata']> = {}) =>
  baseLab(spec, {
    uid: 'lab-1',
    creationTimestamp: '2026-11-30T10:00:00Z',
    finalizers: [labFinalizer],
    ...metadata,
  });

const children = desiredState(labOf()).children;
const workloads = children.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');

function setup(...objects: (KubeObject | ObservabilityLab)[]) {
  const cluster = new MemoryCluster().add(...objects);
  const reconcilerWith = (store: LabStore) =>
    new LabReconciler({ client: cluster.client, store, desired, events: cluster.recorder, clock: () => now });
  const reconciler = reconcilerWith(cluster.store);
  const lab = () => cluster.get('ObservabilityLab', 'team-a', 'demo') as unknown as ObservabilityLab;
  /** Forgets the calls and events so far. */
  const reset = () => {
    cluster.calls.length = 0;
    cluster.events.length = 0;
  };
  return { cluster, reconcile: () => reconciler.reconcile('team-a', 'demo'), reconcilerWith, lab, reset };
}

/** The one status write of the pass. */
function statusWrite(cluster: MemoryCluster): LabStatus {
  const writes = cluster.statusWrites();
  assert.equal(writes.length, 1, `status writes: ${JSON.stringify(writes)}`);
  return writes[0]!;
}

const conditions = (status: LabStatus) =>
  Object.fromEntries(status.conditions!.map((c) => [c.type, `${c.status}/${c.reason}`]));
const messageOf = (status: LabStatus, type: string) =>
  status.conditions!.find((c) => c.type === type)!.message;
const childApplies = (cluster: MemoryCluster) =>
  cluster.calls.filter((c) => c.verb === 'apply' && c.subresource === undefined);
const deletes = (cluster: MemoryCluster) =>
  cluster.calls.filter((c) => c.verb === 'delete').map((c) => c.key);
const eventReasons = (cluster: MemoryCluster) => cluster.events.map((e) => `${e.type}/${e.reason}`);

/** Every workload fully rolled out, as the controllers would report it. */
function rollOut(cluster: MemoryCluster) {
  for (const workload of workloads) {
    const object = cluster.get(workload.kind!, 'team-a', workload.metadata.name)!;
    const replicas = (object['spec'] as { replicas?: number }).replicas ?? 1;
    object.metadata.generation = 1;
    object['status'] = { readyReplicas: replicas, updatedReplicas: replicas, observedGeneration: 1 };
  }
}

/** Marks the lab deleted, as the API server does when it has finalizers. */
function markDeleted(cluster: MemoryCluster) {
  const lab = cluster.get('ObservabilityLab', 'team-a', 'demo')!;
  lab.metadata.deletionTimestamp = '2026-11-30T11:00:00Z';
  lab.metadata.resourceVersion = `${lab.metadata.resourceVersion}0`;
}

describe('LabReconciler.reconcile on an in-memory cluster', () => {
  it('does nothing for a lab that is gone', async () => {
    const { cluster, reconcile } = setup();
    assert.deepEqual(await reconcile(), {});
    assert.deepEqual(cluster.calls, []);
    assert.deepEqual(cluster.events, []);
  });

  it('adds the finalizer, applies every desired object and writes one status: Progressing while pods come', async () => {
    const { cluster, reconcile, lab } = setup(labOf({}, { finalizers: [] }));
    assert.deepEqual(await reconcile(), {});
    assert.deepEqual(cluster.calls[0], {
      verb: 'patch',
      key: 'ObservabilityLab/demo',
      body: { metadata: { resourceVersion: '101', finalizers: [labFinalizer] } },
    });
    assert.equal(childApplies(cluster).length, children.length);
    const status = statusWrite(cluster);
    assert.deepEqual(conditions(status), {
      Ready: 'False/ComponentsNotReady',
      Progressing: 'True/Applied',
      Degraded: 'False/AsExpected',
    });
    assert.match(messageOf(status, 'Ready'), /^waiting for .*task-api 0\/1/);
    assert.equal(status.summary, `0/${workloads.length}`);
    assert.equal(status.database, 'sqlite');
    assert.deepEqual(status.urls, {
      app: 'https://obslab.example.test/',
      grafana: 'https://grafana.obslab.example.test/',
    });
    assert.equal(status.observedGeneration, 1);
    assert.deepEqual(lab().status, status, 'the write reached the cluster');
    assert.deepEqual(cluster.events, [
      {
        type: 'Normal',
        reason: 'Applied',
        action: 'Apply',
        note: `applied ${children.length} objects (0 unchanged)`,
      },
    ]);
  });

  it('reports Ready from what the cluster shows, applying nothing in sync, and writes nothing unchanged', async () => {
    const { cluster, reconcile, reset } = setup(labOf());
    await reconcile();
    rollOut(cluster);
    reset();
    assert.deepEqual(await reconcile(), {});
    assert.equal(childApplies(cluster).length, 0);
    const status = statusWrite(cluster);
    assert.deepEqual(conditions(status), {
      Ready: 'True/AllComponentsReady',
      Progressing: 'False/AsExpected',
      Degraded: 'False/AsExpected',
    });
    assert.equal(status.summary, `${workloads.length}/${workloads.length}`);
    assert.equal(status.components?.['task-api']?.ready, 1);
    assert.deepEqual(eventReasons(cluster), ['Normal/AllComponentsReady']);
    reset();
    await reconcile();
    assert.deepEqual(cluster.calls, [], 'a pass with nothing new makes no call');
    assert.deepEqual(cluster.events, []);
  });

  it('writes no status and repeats no event when the lab it read is stale (its own last write not yet seen)', async () => {
    const { cluster, reconcile, reconcilerWith, lab, reset } = setup(labOf());
    const before = structuredClone(lab());
    await reconcile();
    const written = lab().status;
    rollOut(cluster);
    reset();
    const stale = reconcilerWith({ ...cluster.store, lab: () => structuredClone(before) });
    assert.deepEqual(await stale.reconcile('team-a', 'demo'), {});
    assert.equal(conditions(statusWrite(cluster)).Ready, 'True/AllComponentsReady', 'the write was tried');
    assert.deepEqual(lab().status, written, 'and refused: the resourceVersion was stale');
    assert.deepEqual(cluster.events, []);
  });

  it('reports a spec the chart rejects as InvalidSpec, applies nothing and does not retry', async () => {
    const { cluster, reconcile } = setup(labOf({ taskApi: { replicas: 3 } }));
    assert.deepEqual(await reconcile(), {});
    assert.equal(childApplies(cluster).length, 0);
    const status = statusWrite(cluster);
    assert.deepEqual(conditions(status), {
      Ready: 'False/InvalidSpec',
      Progressing: 'False/InvalidSpec',
      Degraded: 'True/InvalidSpec',
    });
    assert.match(messageOf(status, 'Degraded'), /^taskApiReplicas: 3 replicas need database "postgres"/);
    assert.equal(messageOf(status, 'Progressing'), 'waiting for the spec to change');
    assert.equal(status.summary, '0/0');
    assert.equal(status.database, undefined);
    assert.deepEqual(eventReasons(cluster), ['Warning/InvalidSpec']);
  });

  it('reports a spec the schema rejects as InvalidSpec naming the field', async () => {
    const { cluster, reconcile } = setup(labOf({ size: 'huge' } as never));
    assert.deepEqual(await reconcile(), {});
    const status = statusWrite(cluster);
    assert.equal(conditions(status).Degraded, 'True/InvalidSpec');
    assert.match(messageOf(status, 'Degraded'), /^spec\.size: /);
  });

  it('refuses to run beside an older lab in the namespace: OwnedByAnotherLab, nothing applied', async () => {
    const older = labOf({}, { name: 'first', uid: 'lab-0', creationTimestamp: '2026-11-30T09:00:00Z' });
    const { cluster, reconcile } = setup(older, labOf());
    assert.deepEqual(await reconcile(), {});
    assert.equal(childApplies(cluster).length, 0);
    const status = statusWrite(cluster);
    assert.deepEqual(conditions(status), {
      Ready: 'False/OwnedByAnotherLab',
      Progressing: 'False/OwnedByAnotherLab',
      Degraded: 'True/OwnedByAnotherLab',
    });
    assert.match(
      messageOf(status, 'Degraded'),
      /^ObservabilityLab first already runs in namespace team-a: one ObservabilityLab per namespace/,
    );
    assert.deepEqual(eventReasons(cluster), ['Warning/OwnedByAnotherLab']);
  });

  it('refuses to take an object another owner controls: OwnedByAnotherLab naming both', async () => {
    const foreign: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'task-api',
        namespace: 'team-a',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'theirs', uid: 'other-uid', controller: true },
        ],
      },
    };
    const { cluster, reconcile } = setup(labOf(), foreign);
    assert.deepEqual(await reconcile(), {});
    assert.equal(childApplies(cluster).length, 0);
    const status = statusWrite(cluster);
    assert.equal(conditions(status).Degraded, 'True/OwnedByAnotherLab');
    assert.match(messageOf(status, 'Degraded'), /^Deployment\/task-api belongs to ReplicaSet theirs: /);
  });

  it('reports an apply failure as ApplyFailed, applies the rest, prunes nothing and throws to retry', async () => {
    const { cluster, reconcile } = setup(labOf());
    cluster.failApply.set('Deployment/grafana', 'spec.replicas: Invalid value');
    await assert.rejects(reconcile(), (error) => {
      assert.ok(error instanceof LabApplyError, String(error));
      assert.match(
        error.message,
        /^applying Deployment\/grafana: .*422 Invalid: spec\.replicas: Invalid value/,
      );
      return true;
    });
    assert.equal(childApplies(cluster).length, children.length);
    assert.deepEqual(deletes(cluster), []);
    const status = statusWrite(cluster);
    assert.deepEqual(conditions(status), {
      Ready: 'False/ApplyFailed',
      Progressing: 'True/ApplyFailed',
      Degraded: 'True/ApplyFailed',
    });
    assert.match(messageOf(status, 'Progressing'), /^retrying: applying Deployment\/grafana: /);
    assert.deepEqual(eventReasons(cluster), ['Normal/Applied', 'Warning/ApplyFailed']);
    assert.equal(cluster.events[0]!.note, `applied ${children.length - 1} objects (0 unchanged)`);
  });

  for (const retainData of [true, false]) {
    it(`prunes the objects of a component turned off, ${retainData ? 'keeping' : 'deleting'} its claim with retainData: ${retainData}`, async () => {
      const { cluster, reconcile, reset } = setup(labOf({ retainData }));
      await reconcile();
      const lab = cluster.get('ObservabilityLab', 'team-a', 'demo')!;
      lab['spec'] = { retainData, components: { grafana: { enabled: false } } };
      lab.metadata.generation = 2;
      reset();
      assert.deepEqual(await reconcile(), {});
      const pruned = deletes(cluster);
      assert.ok(pruned.includes('Deployment/grafana'), pruned.join(', '));
      assert.ok(pruned.includes('Service/grafana'), pruned.join(', '));
      assert.equal(pruned.includes('PersistentVolumeClaim/grafana-data'), !retainData, pruned.join(', '));
      assert.equal(cluster.get('Deployment', 'team-a', 'grafana'), undefined);
      const status = statusWrite(cluster);
      assert.equal(status.observedGeneration, 2);
      assert.equal(status.components?.['grafana'], undefined);
      assert.deepEqual(status.urls, { app: 'https://obslab.example.test/' });
      assert.ok(eventReasons(cluster).includes('Normal/Pruned'), eventReasons(cluster).join(', '));
    });
  }

  it('deletes with retainData: foreground deletion, Deleting status, then the finalizer released and the claims kept', async () => {
    const { cluster, reconcile, lab, reset } = setup(labOf());
    await reconcile();
    const before = lab().status!;
    markDeleted(cluster);
    reset();
    assert.deepEqual(await reconcile(), { requeueAfterMs: 5_000 });
    assert.deepEqual(
      cluster.calls.filter((c) => c.verb === 'delete'),
      [{ verb: 'delete', key: 'ObservabilityLab/demo', propagationPolicy: 'Foreground' }],
    );
    assert.equal(
      conditions(statusWrite(cluster)).Ready,
      'False/Deleting',
      'tried, but the delete changed the lab',
    );
    assert.deepEqual(lab().status, before);

    reset();
    assert.deepEqual(await reconcile(), { requeueAfterMs: 5_000 }, 'waits for the garbage collector');
    const status = statusWrite(cluster);
    assert.deepEqual(conditions(status), {
      Ready: 'False/Deleting',
      Progressing: 'True/Deleting',
      Degraded: 'False/AsExpected',
    });
    assert.equal(status.summary, before.summary, 'the last components stay in the status');
    assert.deepEqual(cluster.events, [
      {
        type: 'Normal',
        reason: 'Deleting',
        action: 'Delete',
        note: "deleting the lab's objects; PersistentVolumeClaims are kept (retainData)",
      },
    ]);

    for (const child of cluster.store.children('team-a', 'demo'))
      // the garbage collector's work
      if (child.kind !== 'PersistentVolumeClaim') cluster.remove(child.kind!, 'team-a', child.metadata.name);
    const resourceVersion = lab().metadata.resourceVersion;
    reset();
    assert.deepEqual(await reconcile(), {});
    assert.deepEqual(cluster.statusWrites(), [], 'the lab goes: no status write');
    assert.equal(cluster.calls.length, 1);
    assert.deepEqual(cluster.calls[0]!.body, {
      metadata: { resourceVersion, finalizers: ['foregroundDeletion'] },
    });
    assert.ok(cluster.get('PersistentVolumeClaim', 'team-a', 'task-api-data'), 'the claims stay');
  });

  it('deletes without retainData: deletes the claims left, then releases the finalizer', async () => {
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data-postgres-0', namespace: 'team-a', labels: { [labLabels.lab]: 'demo' } },
    };
    const deleted = labOf(
      { retainData: false },
      { deletionTimestamp: '2026-11-30T11:00:00Z', finalizers: [labFinalizer, 'foregroundDeletion'] },
    );
    const { cluster, reconcile, reset } = setup(deleted, claim);
    assert.deepEqual(await reconcile(), { requeueAfterMs: 2_000 });
    assert.deepEqual(deletes(cluster), ['PersistentVolumeClaim/data-postgres-0']);
    assert.deepEqual(conditions(statusWrite(cluster)), {
      Ready: 'False/Deleting',
      Progressing: 'True/Deleting',
      Degraded: 'False/AsExpected',
    });
    assert.equal(cluster.events[0]!.note, "deleting the lab's objects; PersistentVolumeClaims are deleted");

    reset();
    assert.deepEqual(await reconcile(), {});
    assert.deepEqual(cluster.statusWrites(), []);
    assert.deepEqual(
      cluster.calls.map((c) => `${c.verb} ${c.key}`),
      ['patch ObservabilityLab/demo'],
    );
    assert.deepEqual(cluster.get('ObservabilityLab', 'team-a', 'demo')!.metadata.finalizers, [
      'foregroundDeletion',
    ]);
    assert.deepEqual(cluster.events, [], 'Deleting was already reported');
  });

  it('releases claims the lab controls before a delete with retainData, and waits for the cache', async () => {
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: 'task-api-data',
        namespace: 'team-a',
        labels: { [labLabels.lab]: 'demo' },
        ownerReferences: [
          {
            apiVersion: 'lab.obslab.dev/v1alpha1',
            kind: 'ObservabilityLab',
            name: 'demo',
            uid: 'lab-1',
            controller: true,
          },
        ],
      },
    };
    const { cluster, reconcile } = setup(labOf({}, { deletionTimestamp: '2026-11-30T11:00:00Z' }), claim);
    assert.deepEqual(await reconcile(), { requeueAfterMs: 1_000 });
    assert.deepEqual(cluster.calls[0], {
      verb: 'patch',
      key: 'PersistentVolumeClaim/task-api-data',
      body: { metadata: { ownerReferences: null } },
    });
    assert.equal(
      cluster.get('PersistentVolumeClaim', 'team-a', 'task-api-data')!.metadata.ownerReferences,
      undefined,
    );
    assert.equal(conditions(statusWrite(cluster)).Ready, 'False/Deleting');
  });

  it('does nothing for a deleted lab without its finalizer', async () => {
    const { cluster, reconcile } = setup(
      labOf({}, { deletionTimestamp: '2026-11-30T11:00:00Z', finalizers: [] }),
    );
    assert.deepEqual(await reconcile(), {});
    assert.deepEqual(cluster.calls, []);
  });
});
