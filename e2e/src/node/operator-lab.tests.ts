// The operator in its own pod on the real node: leader Lease, a lab reconciled into real pods, Ready
// from real readiness, repairs, scaling under traffic, deletion with retainData.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventually } from '@obslab/process';
import { isReady, type PortForward } from './kube.js';
import { json } from './lab-http.js';
import { log, type NodeCluster, root } from './node-cluster.setup.js';

/** Registers this group in the current describe, on the suite's one cluster. */
export function describeOperatorLab(cluster: NodeCluster): void {
  const { timed, forward } = cluster;
  describe('the operator (operator/dist, in its own pod, leader-elected)', () => {
    const ns = 'lab-op';
    const password = 'e2e-only-operator-password';
    let app: PortForward | undefined;
    const labObject = (spec: Record<string, unknown>) =>
      JSON.stringify({
        apiVersion: 'lab.obslab.dev/v1alpha1',
        kind: 'ObservabilityLab',
        metadata: { name: 'demo', namespace: ns },
        spec,
      });
    const labSpec = (replicas: number) => ({
      database: { mode: 'postgres' },
      taskApi: { replicas },
      size: 'small',
      components: { grafana: { enabled: false }, tempo: { enabled: false }, loki: { enabled: false } },
      retainData: true,
    });
    const setReplicas = (replicas: number) =>
      cluster.kube.kubectl([
        '-n',
        ns,
        'patch',
        'olab',
        'demo',
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { taskApi: { replicas } } }),
      ]);
    const labReady = () =>
      eventually(
        async () => {
          const lab = await cluster.kube.json<{
            metadata: { generation: number };
            status?: { conditions?: { type: string; status: string; observedGeneration?: number }[] };
          }>(['-n', ns, 'olab', 'demo']);
          const ready = lab.status?.conditions?.find((c) => c.type === 'Ready');
          assert.equal(ready?.status, 'True', JSON.stringify(lab.status));
          assert.equal(ready?.observedGeneration, lab.metadata.generation);
        },
        { timeoutMs: 300_000, intervalMs: 1_000, description: `ObservabilityLab ${ns}/demo Ready` },
      );

    it('runs the operator’s Deployment, which takes the leader Lease, and reconciles a lab into Running pods; Ready from real readiness', async () => {
      await cluster.kube.kubectl(['apply', '--server-side', '-f', join(root, 'operator/dist/')]);
      const operatorPods = await cluster.kube.allReady('obslab-system', 180_000, 2);
      // Exactly one of the two replicas leads.
      const leader = await eventually(
        async () => {
          const leases = await cluster.kube.json<{ items: { spec: { holderIdentity?: string } }[] }>([
            '-n',
            'obslab-system',
            'leases',
          ]);
          const names = leases.items.map((l) => l.spec.holderIdentity ?? '');
          const leading = operatorPods.filter((p) => names.some((n) => n.startsWith(p.metadata.name)));
          assert.equal(leading.length, 1, JSON.stringify(names));
          return leading[0]!;
        },
        { timeoutMs: 60_000, intervalMs: 1_000, description: 'one operator replica holds the lease' },
      );
      log(`operator leader: ${leader.metadata.name}`);

      await cluster.kube.kubectl(['create', 'namespace', ns]);
      await cluster.kube.kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
      await cluster.kube.kubectl([
        '-n',
        ns,
        'create',
        'secret',
        'generic',
        'obslab-postgres',
        `--from-literal=password=${password}`,
        `--from-literal=database-url=postgres://obslab:${password}@postgres:5432/obslab`,
      ]);
      await timed('operator: ObservabilityLab → Ready', async () => {
        await cluster.kube.kubectl(['apply', '--server-side', '-f', '-'], labObject(labSpec(2)));
        await labReady();
      });
      const pods = await cluster.kube.allReady(ns, 60_000);
      assert.ok(pods.length >= 5, pods.map((p) => p.metadata.name).join(', '));
    });

    it('turns Ready False while PostgreSQL’s pod is really not ready, and True again once it is', async () => {
      const [postgres] = await cluster.kube.pods(ns, 'app.kubernetes.io/name=postgres');
      await cluster.kube.kubectl(['-n', ns, 'delete', 'pod', postgres!.metadata.name, '--wait=false']);
      const notReady = await eventually(
        async () => {
          const lab = await cluster.kube.json<{
            status?: { conditions?: { type: string; status: string; message: string }[] };
          }>(['-n', ns, 'olab', 'demo']);
          const ready = lab.status?.conditions?.find((c) => c.type === 'Ready');
          assert.equal(ready?.status, 'False', JSON.stringify(ready));
          return ready;
        },
        { timeoutMs: 60_000, intervalMs: 250, description: 'Ready False while postgres restarts' },
      );
      assert.match(notReady.message, /postgres/);
      await labReady();
      const [replaced] = await cluster.kube.pods(ns, 'app.kubernetes.io/name=postgres');
      assert.notEqual(replaced!.metadata.uid, postgres!.metadata.uid);
      assert.ok(isReady(replaced!));
    });

    it('repairs what only it owns: a deleted Deployment and an edited ConfigMap', async () => {
      await cluster.kube.kubectl(['-n', ns, 'delete', 'deployment', 'frontend', '--wait=false']);
      const configMaps = await cluster.kube.json<{
        items: { metadata: { name: string }; data?: Record<string, string> }[];
      }>(['-n', ns, 'configmaps', '-l', 'app.kubernetes.io/name=otel-collector']);
      const configMap = configMaps.items[0]!;
      const key = Object.keys(configMap.data ?? {})[0]!;
      await cluster.kube.kubectl([
        '-n',
        ns,
        'patch',
        'configmap',
        configMap.metadata.name,
        '--type=merge',
        '-p',
        JSON.stringify({ data: { [key]: 'edited: by hand\n' } }),
      ]);
      await eventually(
        async () => {
          const now = await cluster.kube.json<{ data: Record<string, string> }>([
            '-n',
            ns,
            'configmap',
            configMap.metadata.name,
          ]);
          assert.equal(now.data[key], configMap.data![key]);
          await cluster.kube.json(['-n', ns, 'deployment', 'frontend']);
        },
        { timeoutMs: 120_000, intervalMs: 1_000, description: 'repaired' },
      );
      await labReady();
      await cluster.kube.allReady(ns, 180_000);
    });

    it('scales task-api 2 → 3 → 2 while serving: pods added, then drained away, no failed request', async () => {
      app = await forward(ns, 'service/frontend', 8080);
      const url = app.url;
      let running = true;
      const statuses: Record<string, number> = {};
      const traffic = (async () => {
        while (running) {
          const status = await fetch(`${url}/api/tasks?limit=5`, {
            signal: AbortSignal.timeout(5_000),
          })
            .then(async (r) => {
              await r.arrayBuffer();
              return String(r.status);
            })
            .catch((error: Error) => error.name);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      })();
      await setReplicas(3);
      await eventually(
        async () =>
          assert.equal(
            (await cluster.kube.pods(ns, 'app.kubernetes.io/name=task-api')).filter(isReady).length,
            3,
          ),
        { timeoutMs: 180_000, intervalMs: 1_000, description: '3 task-api replicas Ready' },
      );
      await labReady();
      // Back to 2: one pod gets SIGTERM after its preStop sleep and drains its connections.
      await setReplicas(2);
      await eventually(
        async () => assert.equal((await cluster.kube.pods(ns, 'app.kubernetes.io/name=task-api')).length, 2),
        { timeoutMs: 180_000, intervalMs: 1_000, description: 'the third task-api pod gone' },
      );
      await labReady();
      running = false;
      await traffic;
      log(`requests during the rollout: ${JSON.stringify(statuses)}`);
      assert.ok((statuses['200'] ?? 0) > 20, JSON.stringify(statuses));
      assert.deepEqual(
        Object.keys(statuses),
        ['200'],
        `every request answered 200: ${JSON.stringify(statuses)}`,
      );
    });

    it('deleted with retainData, keeps the PostgreSQL claim and its data: a new lab in the namespace sees the old tasks', async () => {
      const created = await json(`${app!.url}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'kept by retainData' }),
      });
      assert.equal(created.status, 201);
      await app!.close();
      const claimsBefore = await cluster.kube.json<{ items: { metadata: { name: string; uid: string } }[] }>([
        '-n',
        ns,
        'pvc',
        '-l',
        'app.kubernetes.io/name=postgres',
      ]);
      assert.equal(claimsBefore.items.length, 1);
      await cluster.kube.kubectl(['-n', ns, 'delete', 'olab', 'demo', '--wait=true', '--timeout=180s']);
      await eventually(async () => assert.equal((await cluster.kube.pods(ns)).length, 0), {
        timeoutMs: 120_000,
        intervalMs: 1_000,
        description: 'lab pods gone',
      });
      const claimsAfter = await cluster.kube.json<{ items: { metadata: { name: string; uid: string } }[] }>([
        '-n',
        ns,
        'pvc',
        '-l',
        'app.kubernetes.io/name=postgres',
      ]);
      assert.deepEqual(
        claimsAfter.items.map((c) => c.metadata.uid),
        claimsBefore.items.map((c) => c.metadata.uid),
      );

      await cluster.kube.kubectl(['apply', '--server-side', '-f', '-'], labObject(labSpec(1)));
      await labReady();
      app = await forward(ns, 'service/frontend', 8080);
      const list = await json(`${app.url}/api/tasks?limit=100`);
      const titles = (list.body['tasks'] as { title: string }[]).map((t) => t.title);
      assert.ok(titles.includes('kept by retainData'), titles.join(', '));
    });
  });
}
