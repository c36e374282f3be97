// The synthesized manifests with SQLite on the real node: apply, nginx → task-api, Prometheus and
// the Collector, `lab verify` through port-forwards, a kubelet and containerd restart.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { eventually, run } from '@obslab/process';
import { type Pod, type PortForward, restarts } from './kube.js';
import { json, promQuery } from './lab-http.js';
import { labJs, log, type NodeCluster, root } from './node-cluster.setup.js';

/** Registers this group in the current describe, on the suite's one cluster. */
export function describeSqliteLab(cluster: NodeCluster): void {
  const { timed, forward, applyLab, deleteNamespace } = cluster;
  describe('the synthesized manifests, SQLite (charts-ts/dist rendering)', () => {
    const ns = 'obslab';
    let app: PortForward;
    let prometheus: PortForward;

    it('applies with kubectl apply --server-side: every pod Running and Ready, restarts 0, claims Bound', async () => {
      await timed('SQLite lab: apply → all Ready', async () => {
        await applyLab(ns, { database: 'sqlite' });
        const pods = await cluster.kube.allReady(ns, 300_000);
        const names = pods.map((p) => p.metadata.labels?.['app.kubernetes.io/name']).sort();
        assert.deepEqual(names, ['frontend', 'frontend', 'otel-collector', 'prometheus', 'task-api']);
        for (const pod of pods) assert.equal(restarts(pod), 0, `${pod.metadata.name} restarted`);
      });
      const claims = await cluster.kube.json<{
        items: { metadata: { name: string }; status: { phase: string } }[];
      }>(['-n', ns, 'pvc']);
      assert.ok(claims.items.length >= 2, JSON.stringify(claims.items.map((c) => c.metadata.name)));
      for (const claim of claims.items) assert.equal(claim.status.phase, 'Bound', claim.metadata.name);
    });

    it('serves the UI and proxies /api/ to task-api by its Service name: a task created through nginx is read back', async () => {
      app = await forward(ns, 'service/frontend', 8080);
      const page = await fetch(`${app.url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
      const created = await json(`${app.url}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'survives a node restart' }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const read = await json(`${app.url}/api/tasks/${String(created.body['id'])}`);
      assert.equal(read.body['title'], 'survives a node restart');
    });

    it('Prometheus 3 discovers task-api with its namespaced Role and scrapes it (up == 1); the Collector receives task-api’s spans', async () => {
      prometheus = await forward(ns, 'service/prometheus', 9090);
      const build = await json(`${prometheus.url}/api/v1/status/buildinfo`);
      assert.match(String((build.body['data'] as { version: string }).version), /^3\./);
      await eventually(
        async () => {
          const up = await promQuery(prometheus.url, 'up{job="task-api"}');
          assert.equal(up.length, 1, JSON.stringify(up));
          assert.equal(up[0]!.value[1], '1');
          // Found by pod discovery: the instance label is the pod's name.
          const [pod] = await cluster.kube.pods(ns, 'app.kubernetes.io/name=task-api');
          assert.equal(up[0]!.metric['instance'], pod!.metadata.name);
        },
        { timeoutMs: 120_000, intervalMs: 2_000, description: 'task-api scraped' },
      );
      await eventually(
        async () => {
          const accepted = await promQuery(
            prometheus.url,
            'sum(otelcol_receiver_accepted_spans_total or otelcol_receiver_accepted_spans)',
          );
          assert.ok(Number(accepted[0]?.value[1] ?? 0) > 0, `spans accepted: ${JSON.stringify(accepted)}`);
        },
        {
          timeoutMs: 120_000,
          intervalMs: 2_000,
          description: 'the Collector received spans from task-api',
        },
      );
    });

    it('passes lab verify --only app,requests,metrics,targets through port-forwards', async () => {
      const { stdout, stderr } = await run(
        process.execPath,
        [
          labJs,
          'verify',
          '--url',
          app.url,
          '--prometheus-url',
          prometheus.url,
          '--only',
          'app,requests,metrics,targets',
          '--without',
          'grafana,tempo,loki',
          '--wait',
          '120',
        ],
        { cwd: root, timeoutMs: 300_000 },
      );
      log(stdout.trim());
      assert.match(stdout + stderr, /targets/);
    });

    it('comes back after kubelet and containerd are killed and started again: pods Running and Ready, data kept', async () => {
      const before = await cluster.kube.pods(ns);
      await timed('kubelet + containerd restart → Ready', () => cluster.cp!.node!.restartRuntime());
      const pods = await cluster.kube.allReady(ns, 180_000, before.length);
      // As on a real node, the containers outlive their daemons: the same ones, not restarted.
      const containers = (list: readonly Pod[]) =>
        list
          .flatMap((p) => (p.status.containerStatuses ?? []).map((c) => `${c.containerID} ${c.restartCount}`))
          .sort();
      assert.deepEqual(containers(pods), containers(before), 'the same containers, restart counts unchanged');
      // The new kubelet and containerd start new containers too: task-api's pod replaced, its
      // SQLite file on the claim still there.
      const [taskApi] = await cluster.kube.pods(ns, 'app.kubernetes.io/name=task-api');
      await cluster.kube.kubectl(['-n', ns, 'delete', 'pod', taskApi!.metadata.name, '--wait=true']);
      const replaced = await cluster.kube.allReady(ns, 180_000, before.length);
      assert.ok(!replaced.some((p) => p.metadata.uid === taskApi!.metadata.uid), 'task-api pod replaced');
      const app = await forward(ns, 'service/frontend', 8080);
      const list = await json(`${app.url}/api/tasks?limit=100`);
      assert.ok(
        (list.body['tasks'] as { title: string }[]).some((t) => t.title === 'survives a node restart'),
        JSON.stringify(list.body),
      );
    });

    // The node has 2 CPUs: each lab leaves before the next one comes.
    after(() => deleteNamespace(ns));
  });
}
