import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { type ControlPlane, skipUnlessKubeBinaries, startControlPlane } from '@obslab/control-plane';
import { eventually, run } from '@obslab/process';
import { isNotFound, rejectionOf } from './kube-api.js';

// Without the binaries the suite is skipped locally, but in CI the start-up fails loudly.
const skip = skipUnlessKubeBinaries();
const suffix = () => randomBytes(3).toString('hex');

describe('a real Kubernetes control plane', { skip, timeout: 180_000 }, () => {
  let controlPlane: ControlPlane | undefined;
  let kc: KubeConfig;
  let core: CoreV1Api;

  before(async () => {
    const started = Date.now();
    controlPlane = await startControlPlane({ log: (line) => console.error(`# ${line}`) });
    console.error(`# control plane started in ${Date.now() - started} ms`);
    kc = new KubeConfig();
    kc.loadFromFile(controlPlane.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  });

  after(async () => {
    await controlPlane?.stop();
  });

  /** A namespace with the given labels whose default service account exists (pods need it). */
  async function namespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
    const name = `${prefix}-${suffix()}`;
    await core.createNamespace({ body: { metadata: { name, labels } } });
    await eventually(() => core.readNamespacedServiceAccount({ name: 'default', namespace: name }), {
      timeoutMs: 30_000,
      description: `service account default in ${name}`,
    });
    return name;
  }

  it('rejects a privileged pod in a namespace that enforces the restricted pod security standard', async () => {
    const ns = await namespace('pss', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const rejection = await rejectionOf(
      core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: 'privileged' },
          spec: { containers: [{ name: 'main', image: 'busybox', securityContext: { privileged: true } }] },
        },
      }),
    );
    assert.equal(rejection.code, 403);
    assert.match(rejection.message, /violates PodSecurity "restricted/);
    assert.match(rejection.message, /privileged/);
  });

  it('rejects a custom resource that breaks its CRD CEL validation rule, with the rule message', async () => {
    const group = 'smoke.obslab.dev';
    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    await extensions.createCustomResourceDefinition({
      body: {
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: {
                      type: 'object',
                      required: ['replicas', 'maxReplicas'],
                      properties: { replicas: { type: 'integer' }, maxReplicas: { type: 'integer' } },
                      x_kubernetes_validations: [
                        {
                          rule: 'self.replicas <= self.maxReplicas',
                          message: 'replicas must not exceed maxReplicas',
                        },
                      ],
                    },
                  },
                },
              },
            },
          ],
        },
      },
    });
    const custom = kc.makeApiClient(CustomObjectsApi);
    const widgets = { group, version: 'v1', namespace: 'default', plural: 'widgets' };
    await eventually(() => custom.listNamespacedCustomObject(widgets), {
      timeoutMs: 30_000,
      description: 'widgets are served',
    });

    const rejection = await rejectionOf(
      custom.createNamespacedCustomObject({
        ...widgets,
        body: {
          apiVersion: `${group}/v1`,
          kind: 'Widget',
          metadata: { name: 'too-many' },
          spec: { replicas: 5, maxReplicas: 3 },
        },
      }),
    );
    assert.equal(rejection.code, 422);
    assert.match(rejection.message, /replicas must not exceed maxReplicas/);

    await custom.createNamespacedCustomObject({
      ...widgets,
      body: {
        apiVersion: `${group}/v1`,
        kind: 'Widget',
        metadata: { name: 'fine' },
        spec: { replicas: 2, maxReplicas: 3 },
      },
    });
  });

  it('reports a conflict when a second field manager server-side applies a field another manager owns', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const apply = (manager: string, color: string) =>
      objects.patch<V1ConfigMap>(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'shared', namespace: 'default' },
          data: { color },
        },
        undefined,
        undefined,
        manager,
        false,
        PatchStrategy.ServerSideApply,
      );
    const applied = await apply('alice', 'blue');
    assert.equal(applied.data?.['color'], 'blue');

    const rejection = await rejectionOf(apply('bob', 'red'));
    assert.equal(rejection.code, 409);
    assert.match(rejection.message, /conflict/i);
    assert.match(rejection.message, /alice/);
  });

  it('garbage-collects a ConfigMap whose owner is deleted', async () => {
    const namespace = 'default';
    const owner = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: `owner-${suffix()}` } },
    });
    const child = await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: `child-${suffix()}`,
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata!.name!, uid: owner.metadata!.uid! },
          ],
        },
      },
    });
    await core.deleteNamespacedConfigMap({ name: owner.metadata!.name!, namespace });

    await eventually(
      async () =>
        assert.ok(
          await isNotFound(core.readNamespacedConfigMap({ name: child.metadata!.name!, namespace })),
          'child still exists',
        ),
      { timeoutMs: 60_000, intervalMs: 250, description: 'the garbage collector deletes the child' },
    );
  });

  it('finalizes a deleted namespace with content until it is gone', async () => {
    const ns = await namespace('doomed');
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'content' } } });
    await core.deleteNamespace({ name: ns });

    await eventually(
      async () => assert.ok(await isNotFound(core.readNamespace({ name: ns })), 'namespace still exists'),
      { timeoutMs: 60_000, intervalMs: 250, description: `namespace ${ns} disappears` },
    );
  });

  it('answers kubectl with the generated kubeconfig', async () => {
    const kubectl = controlPlane!.binaries.kubectl ?? 'kubectl';
    const { stdout } = await run(
      kubectl,
      ['--kubeconfig', controlPlane!.kubeconfigPath, 'get', 'ns', '-o', 'name'],
      {
        timeoutMs: 30_000,
      },
    );
    const names = stdout.trim().split('\n');
    assert.ok(names.includes('namespace/default'), stdout);
    assert.ok(names.includes('namespace/kube-system'), stdout);
  });
});
