import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLabSpec, type LabSpecInput } from './lab.schema.js';
import { type LabCondition, type LabStatus, type ObservabilityLab } from './lab.types.js';
import { type KubeObject } from '../runtime/kube.client.js';
import { computeStatus, conditionOf, objectKey, sameStatus, type StatusInput } from './lab.status.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const t1 = new Date('2026-01-01T00:05:00.000Z');

const labOf = (
  options: { generation?: number; status?: LabStatus; deletionTimestamp?: string } = {},
): ObservabilityLab => ({
  apiVersion: 'lab.obslab.dev/v1alpha1',
  kind: 'ObservabilityLab',
  metadata: {
    name: 'demo',
    namespace: 'team-a',
    uid: 'u-1',
    generation: options.generation ?? 3,
    ...(options.deletionTimestamp ? { deletionTimestamp: options.deletionTimestamp } : {}),
  },
  spec: {},
  ...(options.status ? { status: options.status } : {}),
});

const workload = (kind: 'Deployment' | 'StatefulSet', name: string, replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name, namespace: 'team-a', labels: { 'app.kubernetes.io/name': name } },
  spec: { replicas },
});
const service = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'team-a' },
  spec: {},
});

const desired: KubeObject[] = [
  workload('Deployment', 'task-api', 1),
  workload('Deployment', 'frontend', 2),
  workload('StatefulSet', 'postgres', 1),
  service('task-api'),
];

/** What the cluster would hold: each workload's status as given, by default fully rolled out. */
const observedOf = (
  overrides: Record<
    string,
    { readyReplicas?: number; updatedReplicas?: number; observedGeneration?: number }
  > = {},
  leaveOut: string[] = [],
): Map<string, KubeObject> => {
  const observed = new Map<string, KubeObject>();
  for (const object of desired) {
    const key = objectKey(object);
    if (leaveOut.includes(key)) continue;
    const copy = structuredClone(object);
    copy.metadata.generation = 4;
    if (object.kind !== 'Service') {
      const replicas = (object['spec'] as { replicas: number }).replicas;
      copy['status'] = {
        replicas,
        readyReplicas: replicas,
        updatedReplicas: replicas,
        observedGeneration: 4,
        ...overrides[object.metadata.name],
      };
    }
    observed.set(key, copy);
  }
  return observed;
};

const statusOf = (input: Partial<StatusInput> & { specInput?: LabSpecInput } = {}): LabStatus =>
  computeStatus({
    lab: labOf(),
    spec: parseLabSpec(input.specInput ?? {}),
    desired,
    observed: observedOf(),
    now: t1,
    ...input,
  });

const conditions = (status: LabStatus) =>
  Object.fromEntries((status.conditions ?? []).map((c) => [c.type, c])) as Record<string, LabCondition>;

describe('computeStatus', () => {
  it('leaves out empty maps (server-side apply would store them as null, which the CRD refuses)', () => {
    const invalid = statusOf({
      spec: undefined,
      desired: [],
      problem: { reason: 'InvalidSpec', message: 'images.frontend uses latest', retrying: false },
    });
    assert.equal('components' in invalid, false);
    assert.equal('urls' in invalid, false);
    assert.equal(invalid.summary, '0/0');
    const headless = statusOf({
      specInput: { components: { frontend: { enabled: false }, grafana: { enabled: false } } },
    });
    assert.equal('urls' in headless, false);
  });

  it('is Ready with AllComponentsReady when every workload has rolled out its current spec', () => {
    const status = statusOf();
    const c = conditions(status);
    assert.equal(c['Ready']?.status, 'True');
    assert.equal(c['Ready']?.reason, 'AllComponentsReady');
    assert.equal(c['Progressing']?.status, 'False');
    assert.equal(c['Degraded']?.status, 'False');
    assert.equal(status.observedGeneration, 3);
    for (const condition of status.conditions ?? []) assert.equal(condition.observedGeneration, 3);
    assert.deepEqual(status.components, {
      'task-api': { desired: 1, ready: 1 },
      frontend: { desired: 2, ready: 2 },
      postgres: { desired: 1, ready: 1 },
    });
    assert.equal(status.summary, '3/3');
    assert.equal(status.database, 'sqlite');
  });

  it('is not Ready but Progressing while a workload has fewer ready replicas than desired, naming it', () => {
    const status = statusOf({ observed: observedOf({ frontend: { readyReplicas: 1 } }) });
    const c = conditions(status);
    assert.equal(c['Ready']?.status, 'False');
    assert.equal(c['Ready']?.reason, 'ComponentsNotReady');
    assert.match(c['Ready'].message, /waiting for frontend 1\/2/);
    assert.doesNotMatch(c['Ready'].message, /task-api/);
    assert.equal(c['Progressing']?.status, 'True');
    assert.equal(c['Degraded']?.status, 'False');
    assert.equal(status.summary, '2/3');
    assert.deepEqual(status.components?.['frontend'], { desired: 2, ready: 1 });
  });

  it('waits for a workload whose controller has not observed its latest generation', () => {
    const c = conditions(statusOf({ observed: observedOf({ postgres: { observedGeneration: 3 } }) }));
    assert.equal(c['Ready']?.status, 'False');
    assert.match(c['Ready'].message, /postgres 1\/1/);
  });

  it('waits for a workload that has not updated every replica yet', () => {
    const c = conditions(statusOf({ observed: observedOf({ frontend: { updatedReplicas: 1 } }) }));
    assert.equal(c['Ready']?.status, 'False');
    assert.match(c['Ready'].message, /frontend 2\/2/);
  });

  it('lists missing objects and counts a missing workload as not ready', () => {
    const status = statusOf({ observed: observedOf({}, ['Service/task-api', 'Deployment/task-api']) });
    const c = conditions(status);
    assert.equal(c['Ready']?.status, 'False');
    assert.match(c['Ready'].message, /task-api 0\/1/);
    assert.match(c['Ready'].message, /missing Deployment\/task-api, Service\/task-api/);
    assert.equal(c['Progressing']?.status, 'True');
    assert.equal(status.summary, '2/3');
  });

  it('is not Ready when only a non-workload object is missing', () => {
    const c = conditions(statusOf({ observed: observedOf({}, ['Service/task-api']) }));
    assert.equal(c['Ready']?.status, 'False');
    assert.equal(c['Ready']?.message, 'missing Service/task-api');
  });

  it('reports a problem as Degraded with its reason, still Progressing while the operator retries', () => {
    const c = conditions(
      statusOf({ problem: { reason: 'ApplyFailed', message: 'the API server said no', retrying: true } }),
    );
    assert.equal(c['Degraded']?.status, 'True');
    assert.equal(c['Degraded']?.reason, 'ApplyFailed');
    assert.equal(c['Degraded']?.message, 'the API server said no');
    assert.equal(c['Ready']?.status, 'False');
    assert.equal(c['Ready']?.reason, 'ApplyFailed');
    assert.equal(c['Progressing']?.status, 'True');
  });

  it('stops Progressing for a problem only a new spec can fix, and reports no urls without a spec', () => {
    const status = statusOf({
      spec: undefined,
      problem: { reason: 'InvalidSpec', message: 'spec.size: bad', retrying: false },
    });
    const c = conditions(status);
    assert.equal(c['Degraded']?.status, 'True');
    assert.equal(c['Degraded']?.reason, 'InvalidSpec');
    assert.equal(c['Progressing']?.status, 'False');
    assert.equal(status.urls, undefined);
    assert.equal(status.database, undefined);
  });

  it('keeps lastTransitionTime of a condition whose status did not change, and stamps the clock on one that did', () => {
    const previous = statusOf({ observed: observedOf({ frontend: { readyReplicas: 0 } }), now: t0 });
    for (const condition of previous.conditions ?? [])
      assert.equal(condition.lastTransitionTime, t0.toISOString());
    const status = statusOf({ lab: labOf({ status: previous }), now: t1 });
    const c = conditions(status);
    assert.equal(c['Ready']?.status, 'True');
    assert.equal(c['Ready']?.lastTransitionTime, t1.toISOString());
    assert.equal(c['Progressing']?.lastTransitionTime, t1.toISOString());
    assert.equal(c['Degraded']?.status, 'False');
    assert.equal(c['Degraded']?.lastTransitionTime, t0.toISOString());
  });

  it('gives the app and Grafana urls for the components that run', () => {
    assert.deepEqual(statusOf().urls, {
      app: 'https://obslab.example.test/',
      grafana: 'https://grafana.obslab.example.test/',
    });
    assert.deepEqual(statusOf({ specInput: { components: { grafana: { enabled: false } } } }).urls, {
      app: 'https://obslab.example.test/',
    });
    assert.deepEqual(
      statusOf({
        specInput: {
          components: { frontend: { enabled: false } },
          ingress: { grafanaHost: 'g.example.org' },
        },
      }).urls,
      { grafana: 'https://g.example.org/' },
    );
  });

  it('says Deleting while the lab is being deleted, whatever the children do', () => {
    const status = statusOf({
      lab: labOf({ deletionTimestamp: t0.toISOString() }),
      problem: { reason: 'ApplyFailed', message: 'boom', retrying: true },
    });
    const c = conditions(status);
    assert.equal(c['Ready']?.status, 'False');
    assert.equal(c['Ready']?.reason, 'Deleting');
    assert.equal(c['Progressing']?.status, 'True');
    assert.equal(c['Progressing']?.reason, 'Deleting');
    assert.equal(c['Degraded']?.status, 'False');
  });
});

describe('sameStatus and conditionOf', () => {
  it('treat a recomputed status at another time as the same when nothing changed', () => {
    const first = statusOf({ now: t0 });
    const again = statusOf({ lab: labOf({ status: first }), now: t1 });
    assert.ok(sameStatus(first, again));
    assert.ok(!sameStatus(first, statusOf({ observed: observedOf({ frontend: { readyReplicas: 1 } }) })));
    assert.ok(!sameStatus(undefined, first));
    assert.equal(conditionOf(first, 'Ready')?.status, 'True');
    assert.equal(conditionOf(undefined, 'Ready'), undefined);
  });
});
