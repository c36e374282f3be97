import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { type ControlPlane, skipUnlessKubeBinaries, startControlPlane } from '@obslab/control-plane';
import { eventually } from '@obslab/process';

// Locally skipped without kube-scheduler and kwok; in CI the start-up fails loudly instead.
const skip = skipUnlessKubeBinaries(['kubeScheduler', 'kwok']);

describe('a control plane with kwok fake nodes', { skip, timeout: 120_000 }, () => {
  let controlPlane: ControlPlane | undefined;
  let kc: KubeConfig;

  before(async () => {
    controlPlane = await startControlPlane({ fakeNodes: 2 });
    kc = new KubeConfig();
    kc.loadFromFile(controlPlane.kubeconfigPath);
  });

  after(async () => {
    await controlPlane?.stop();
  });

  it('registers the fake nodes as Ready', async () => {
    const { items } = await kc.makeApiClient(CoreV1Api).listNode();
    assert.deepEqual(items.map((node) => node.metadata?.name).sort(), ['kwok-node-0', 'kwok-node-1']);
    for (const node of items) {
      assert.ok(
        node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        node.metadata?.name,
      );
    }
  });

  it('makes a Deployment available with its pods scheduled and Running', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
        },
      },
    });

    await eventually(
      async () => {
        const deployment = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
        assert.equal(deployment.status?.availableReplicas, 3, 'available replicas');
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'deployment web is available' },
    );
    const pods = await kc
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
    assert.equal(pods.items.length, 3);
    for (const pod of pods.items) {
      assert.equal(pod.status?.phase, 'Running', pod.metadata?.name);
      assert.match(pod.spec?.nodeName ?? '', /^kwok-node-\d$/);
    }
  });
});
