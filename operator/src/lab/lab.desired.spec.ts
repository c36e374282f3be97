import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabSpecError } from '@obslab/charts-ts';
import { labOf } from '../testing/lab-fixture.js';
import { type LabSpecInput } from './lab.schema.js';
import { desiredHashAnnotation } from './lab.types.js';
import { type KubeObject } from '../runtime/kube.client.js';
import { DesiredStateCache, desiredState, sizePresetValues } from './lab.desired.js';

const childrenOf = (spec: LabSpecInput = {}) => desiredState(labOf(spec)).children;
const find = (children: readonly KubeObject[], kind: string, name: string): any => {
  const found = children.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(
    found,
    `no ${kind}/${name} among ${children.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
  );
  return found;
};
const ofKind = (children: readonly KubeObject[], kind: string) => children.filter((o) => o.kind === kind);
const claimSizes = (children: readonly KubeObject[]) =>
  Object.fromEntries(
    ofKind(children, 'PersistentVolumeClaim').map((pvc: any) => [
      pvc.metadata.labels['app.kubernetes.io/name'] as string,
      pvc.spec.resources.requests.storage as string,
    ]),
  );
const prometheusArgs = (children: readonly KubeObject[]): string[] =>
  find(children, 'Deployment', 'prometheus').spec.template.spec.containers[0].args as string[];

const owner = {
  apiVersion: 'lab.obslab.dev/v1alpha1',
  kind: 'ObservabilityLab',
  name: 'demo',
  uid: 'u-1',
  controller: true,
  blockOwnerDeletion: true,
};

describe('desiredState', () => {
  const children = childrenOf();

  it('renders the lab into its own namespace and leaves the Namespace out', () => {
    assert.ok(children.length > 20, `only ${children.length} objects`);
    assert.deepEqual(ofKind(children, 'Namespace'), []);
    for (const object of children) {
      assert.equal(object.metadata.namespace, 'team-a', `${object.kind}/${object.metadata.name}`);
    }
  });

  it('labels every object with the lab and the operator, and annotates its desired hash', () => {
    for (const object of children) {
      const id = `${object.kind}/${object.metadata.name}`;
      assert.equal(object.metadata.labels?.['lab.obslab.dev/name'], 'demo', id);
      assert.equal(object.metadata.labels?.['app.kubernetes.io/managed-by'], 'obslab-operator', id);
      assert.match(object.metadata.annotations?.[desiredHashAnnotation] ?? '', /^[0-9a-f]{16}$/, id);
    }
  });

  it('makes the lab the controller of every object but the claims, which it keeps (retainData defaults to true)', () => {
    assert.equal(desiredState(labOf()).spec.retainData, true);
    const claims = ofKind(children, 'PersistentVolumeClaim');
    assert.ok(claims.length > 0);
    for (const claim of claims) assert.equal(claim.metadata.ownerReferences, undefined, claim.metadata.name);
    for (const object of children.filter((o) => o.kind !== 'PersistentVolumeClaim')) {
      assert.deepEqual(object.metadata.ownerReferences, [owner], `${object.kind}/${object.metadata.name}`);
    }
  });

  it('makes the lab the controller of the claims too with retainData: false', () => {
    const claims = ofKind(childrenOf({ retainData: false }), 'PersistentVolumeClaim');
    assert.ok(claims.length > 0);
    for (const claim of claims)
      assert.deepEqual(claim.metadata.ownerReferences, [owner], claim.metadata.name);
  });

  it("keeps the PostgreSQL StatefulSet's claims on delete with retainData, and labels its claim templates", () => {
    const statefulSet = find(childrenOf({ database: { mode: 'postgres' } }), 'StatefulSet', 'postgres');
    assert.deepEqual(statefulSet.spec.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    assert.deepEqual(statefulSet.metadata.ownerReferences, [owner]);
    const templates = statefulSet.spec.volumeClaimTemplates as KubeObject[];
    assert.ok(templates.length > 0);
    for (const template of templates) {
      assert.equal(template.metadata.labels?.['lab.obslab.dev/name'], 'demo');
      assert.equal(template.metadata.labels?.['app.kubernetes.io/managed-by'], 'obslab-operator');
    }
  });

  it("deletes the PostgreSQL StatefulSet's claims with it with retainData: false", () => {
    const statefulSet = find(
      childrenOf({ database: { mode: 'postgres' }, retainData: false }),
      'StatefulSet',
      'postgres',
    );
    assert.equal(statefulSet.spec.persistentVolumeClaimRetentionPolicy.whenDeleted, 'Delete');
  });

  it('renders no StatefulSet for sqlite', () => {
    assert.deepEqual(ofKind(children, 'StatefulSet'), []);
    assert.equal(find(children, 'PersistentVolumeClaim', 'task-api-data').metadata.name, 'task-api-data');
  });

  it("leaves out Grafana's Deployment, Service, ConfigMaps and claim when grafana is disabled", () => {
    const isGrafana = (o: KubeObject) => o.metadata.labels?.['app.kubernetes.io/name'] === 'grafana';
    const grafanaKinds = (objects: readonly KubeObject[]) =>
      new Set(objects.filter(isGrafana).map((o) => o.kind));
    for (const kind of ['Deployment', 'Service', 'ConfigMap', 'PersistentVolumeClaim']) {
      assert.ok(grafanaKinds(children).has(kind), `no Grafana ${kind} by default`);
    }
    const without = childrenOf({ components: { grafana: { enabled: false } } });
    assert.deepEqual(
      without.filter(isGrafana).map((o) => `${o.kind}/${o.metadata.name}`),
      [],
    );
    assert.ok(find(without, 'Deployment', 'loki'));
  });

  for (const size of ['small', 'medium', 'large'] as const) {
    it(`sizes claims and Prometheus retention from the ${size} preset`, () => {
      const preset = sizePresetValues[size];
      const rendered = childrenOf({ size, database: { mode: 'postgres' } });
      const sizes = claimSizes(rendered);
      assert.deepEqual(Object.keys(sizes).sort(), ['grafana', 'loki', 'prometheus', 'tempo']);
      for (const [component, requested] of Object.entries(sizes)) {
        assert.equal(requested, preset.sizes[component as keyof typeof preset.sizes], component);
      }
      const postgres = find(rendered, 'StatefulSet', 'postgres');
      assert.equal(
        postgres.spec.volumeClaimTemplates[0].spec.resources.requests.storage,
        preset.sizes.postgres,
      );
      assert.ok(prometheusArgs(rendered).includes(`--storage.tsdb.retention.time=${preset.retention}`));
      const sqlite = childrenOf({ size });
      assert.equal(claimSizes(sqlite)['task-api'], preset.sizes['task-api']);
    });
  }

  it('maps small to 3d of Prometheus retention and 2Gi for Prometheus', () => {
    const small = childrenOf({ size: 'small' });
    assert.ok(
      prometheusArgs(small).includes('--storage.tsdb.retention.time=3d'),
      prometheusArgs(small).join(' '),
    );
    assert.equal(claimSizes(small)['prometheus'], '2Gi');
  });

  it('lets explicit storage.sizes and retention.prometheus win over the preset', () => {
    const rendered = childrenOf({
      size: 'small',
      storage: { sizes: { prometheus: '7Gi' } },
      retention: { prometheus: '36h' },
    });
    const sizes = claimSizes(rendered);
    assert.equal(sizes['prometheus'], '7Gi');
    assert.equal(sizes['loki'], sizePresetValues.small.sizes.loki);
    const args = prometheusArgs(rendered);
    assert.ok(args.includes('--storage.tsdb.retention.time=36h'), args.join(' '));
    assert.ok(!args.includes('--storage.tsdb.retention.time=3d'));
  });

  it('puts every claim in storage.className when it is set', () => {
    for (const claim of ofKind(
      childrenOf({ storage: { className: 'fast' } }),
      'PersistentVolumeClaim',
    ) as any[]) {
      assert.equal(claim.spec.storageClassName, 'fast', claim.metadata.name);
    }
  });

  it('refuses taskApi.replicas: 3 with sqlite, pointing at postgres', () => {
    assert.throws(() => desiredState(labOf({ taskApi: { replicas: 3 } })), /postgres/);
  });

  it('scales task-api to taskApi.replicas with postgres', () => {
    const rendered = childrenOf({ taskApi: { replicas: 3 }, database: { mode: 'postgres' } });
    assert.equal(find(rendered, 'Deployment', 'task-api').spec.replicas, 3);
  });

  it('throws LabSpecError naming the field for a spec the schema rejects', () => {
    assert.throws(
      () => desiredState(labOf({ size: 'huge' } as never)),
      (error) =>
        error instanceof LabSpecError &&
        error.problems.length === 1 &&
        error.problems[0]!.field === 'spec.size',
    );
  });

  it('renders the same hashes for the same spec, and a new hash only where the rendering changed', () => {
    const hashes = (objects: readonly KubeObject[]) =>
      new Map(
        objects.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.annotations![desiredHashAnnotation]]),
      );
    const before = hashes(children);
    assert.deepEqual(hashes(childrenOf()), before);
    const after = hashes(childrenOf({ frontend: { replicas: 3 } }));
    assert.notEqual(after.get('Deployment/frontend'), before.get('Deployment/frontend'));
    assert.equal(after.get('Deployment/loki'), before.get('Deployment/loki'));
    assert.equal(after.get('Service/frontend'), before.get('Service/frontend'));
  });

  it('is pure: rendering twice gives equal objects that do not share state', () => {
    const again = childrenOf();
    assert.deepEqual(again, children);
    (again[0]!.metadata.labels as Record<string, string>)['mutated'] = 'yes';
    assert.equal(children[0]!.metadata.labels?.['mutated'], undefined);
  });
});

describe('DesiredStateCache', () => {
  it('returns the same desired state for the same spec, even from a new lab object', () => {
    const cache = new DesiredStateCache();
    const first = cache.get(labOf({ size: 'small' }));
    assert.equal(cache.get(labOf({ size: 'small' }, { generation: 2, resourceVersion: '9' })), first);
  });

  it('renders again after the spec changes', () => {
    const cache = new DesiredStateCache();
    const first = cache.get(labOf());
    const second = cache.get(labOf({ frontend: { replicas: 3 } }));
    assert.notEqual(second, first);
    assert.equal(find(second.children, 'Deployment', 'frontend').spec.replicas, 3);
    assert.equal(cache.get(labOf({ frontend: { replicas: 3 } })), second);
  });

  it('keeps labs apart by uid, and renders again after forget', () => {
    const cache = new DesiredStateCache();
    const a = cache.get(labOf());
    const b = cache.get(labOf({}, { uid: 'u-2', name: 'other' }));
    assert.notEqual(b, a);
    assert.equal(cache.get(labOf()), a);
    cache.forget('u-1');
    assert.notEqual(cache.get(labOf()), a);
  });
});
