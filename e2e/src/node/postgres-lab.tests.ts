// The synthesized manifests with PostgreSQL on the real node: two task-api replicas on one database,
// and the NetworkPolicies enforced by kube-network-policies.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { egressGuardDrops } from '@obslab/control-plane';
import { eventually } from '@obslab/process';
import { bashConnect, isReady, nodeConnect, type Pod, type PortForward, restarts } from './kube.js';
import { taskApiImage } from './host-state.js';
import { json } from './lab-http.js';
import { type NodeCluster } from './node-cluster.setup.js';

/** Registers this group in the current describe, on the suite's one cluster. */
export function describePostgresLab(cluster: NodeCluster): void {
  const { timed, forward, applyLab, deleteNamespace } = cluster;
  describe('the synthesized manifests, PostgreSQL (charts-ts/dist/postgres rendering)', () => {
    const ns = 'obslab-pg';
    const password = 'e2e-only-password-not-secret';
    let app: PortForward;

    it('applies: PostgreSQL’s claim Bound, two task-api replicas Ready and talking to it', async () => {
      await timed('PostgreSQL lab: apply → all Ready', async () => {
        await applyLab(
          ns,
          { database: 'postgres', taskApiReplicas: 2 },
          {
            'obslab-postgres': {
              password,
              'database-url': `postgres://obslab:${password}@postgres:5432/obslab`,
            },
          },
        );
        const pods = await cluster.kube.allReady(ns, 300_000);
        for (const pod of pods) assert.equal(restarts(pod), 0, `${pod.metadata.name} restarted`);
        assert.equal(
          pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'task-api').length,
          2,
        );
      });
      const claims = await cluster.kube.json<{
        items: { metadata: { name: string }; status: { phase: string } }[];
      }>(['-n', ns, 'pvc']);
      assert.ok(
        claims.items.some((c) => c.metadata.name.includes('postgres') && c.status.phase === 'Bound'),
        JSON.stringify(claims.items),
      );
      app = await forward(ns, 'service/frontend', 8080);
      const created = await json(`${app.url}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'stored in PostgreSQL' }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const api = await forward(ns, 'service/task-api', 3000);
      const ready = await json(`${api.url}/health/ready`);
      assert.equal(ready.status, 200, JSON.stringify(ready.body));
      assert.match(JSON.stringify(ready.body), /database/);
      const pg = (await cluster.kube.pods(ns, 'app.kubernetes.io/name=postgres'))[0]!;
      const rows = await cluster.kube.exec(ns, pg.metadata.name, [
        'psql',
        '-U',
        'obslab',
        '-d',
        'obslab',
        '-tAc',
        "select title from tasks where title = 'stored in PostgreSQL'",
      ]);
      assert.equal(rows.code, 0, rows.output);
      assert.match(rows.output, /stored in PostgreSQL/);
    });

    it('enforces the NetworkPolicies: allowed flows connect, flows the chart does not allow are dropped', async () => {
      const frontend = (await cluster.kube.pods(ns, 'app.kubernetes.io/name=frontend')).find(isReady)!;
      const allowed = await cluster.kube.exec(ns, frontend.metadata.name, bashConnect('task-api', 3000));
      assert.equal(allowed.code, 0, `frontend → task-api must connect: ${allowed.output}`);
      // Dropped, not refused: the connection attempt times out (timeout's exit code 124).
      const blocked = await cluster.kube.exec(ns, frontend.metadata.name, bashConnect('postgres', 5432));
      assert.equal(blocked.code, 124, `frontend → postgres must be dropped: ${blocked.output}`);
      const taskApi = (await cluster.kube.pods(ns, 'app.kubernetes.io/name=task-api')).find(isReady)!;
      const toPostgres = await cluster.kube.exec(ns, taskApi.metadata.name, nodeConnect('postgres', 5432));
      assert.equal(toPostgres.code, 0, `task-api → postgres must connect: ${toPostgres.output}`);

      // A pod in another namespace: the chart lets only the ingress controller's namespace in.
      const probeImage = taskApiImage(await cluster.kube.pods(ns, 'app.kubernetes.io/name=task-api'));
      const probe = async (namespace: string, target: string, port: number) => {
        await cluster.kube.kubectl(['create', 'namespace', namespace]).catch(() => undefined);
        const name = `probe-${Date.now()}`;
        await cluster.kube.kubectl(
          ['apply', '-f', '-'],
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name, namespace },
            spec: {
              restartPolicy: 'Never',
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 1000,
                seccompProfile: { type: 'RuntimeDefault' },
              },
              containers: [
                {
                  name: 'probe',
                  image: probeImage,
                  imagePullPolicy: 'Never',
                  command: nodeConnect(target, port),
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                },
              ],
            },
          }),
        );
        const phase = await eventually(
          async () => {
            const pod = await cluster.kube.json<Pod>(['-n', namespace, 'pod', name]);
            assert.ok(['Succeeded', 'Failed'].includes(pod.status.phase), pod.status.phase);
            return pod.status.phase;
          },
          { timeoutMs: 60_000, intervalMs: 500, description: `probe pod in ${namespace}` },
        );
        const output = await cluster.kube.kubectl(['-n', namespace, 'logs', name]);
        return { phase, output: output.trim() };
      };
      const outsider = await probe('e2e-outsider', `task-api.${ns}.svc.cluster.local`, 3000);
      assert.deepEqual(
        outsider,
        { phase: 'Failed', output: 'timeout' },
        'another namespace → task-api must be dropped',
      );
      // Off the machine: the node's egress guard drops it before it leaves (counted).
      const dropsBefore = egressGuardDrops();
      const outside = await probe('e2e-outsider', '192.0.2.1', 80);
      assert.deepEqual(
        outside,
        { phase: 'Failed', output: 'timeout' },
        'a pod → an address off this machine must be dropped',
      );
      assert.ok(egressGuardDrops() > dropsBefore, 'dropped by the egress guard');
      const ingress = await probe('ingress-nginx', `frontend.${ns}.svc.cluster.local`, 8080);
      assert.deepEqual(
        ingress,
        { phase: 'Succeeded', output: 'connected' },
        'the ingress namespace → frontend is allowed',
      );
    });

    after(() => deleteNamespace(ns));
  });
}
