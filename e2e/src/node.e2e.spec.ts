// The lab as real pods on a real node: etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler, plus a node on this machine — containerd (Debian's), kubelet, kube-proxy
// (nftables), CoreDNS and kube-network-policies — with the images `lab images build` made imported
// into containerd. The synthesized manifests (charts-ts, both databases) and the operator's
// ObservabilityLab run here as they would on a kubeadm cluster. Grafana, Tempo and Loki are turned
// off: their images are AGPL-licensed upstream ones that are not built here.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { distFilesOf, type LabChartProps, synthLab } from '@obslab/charts-ts';
import {
  type ControlPlane,
  egressGuardDrops,
  nodeCgroupExists,
  pauseImage,
  skipUnlessKubeBinaries,
  snapshotSysctls,
  startControlPlane,
} from '@obslab/control-plane';
import { eventually, run } from '@obslab/process';
import { dockerProgram, dockerSkipReason, ensureDockerd, type DockerDaemon } from './docker/docker.cli.js';
import {
  bashConnect,
  isReady,
  Kube,
  nodeConnect,
  type Pod,
  type PortForward,
  restarts,
} from './node/kube.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const labJs = fileURLToPath(import.meta.resolve('@obslab/lab/bin/lab.js'));
const log = (line: string) => console.log(`[node e2e] ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const agplOff = { grafana: false, tempo: false, loki: false } as const;

function skipReason(): string | false {
  if (process.env.CI === 'true') return false;
  if (process.getuid?.() !== 0) return 'a real node needs root';
  return skipUnlessKubeBinaries(['kubeScheduler', 'node']) || dockerSkipReason();
}

/** Images `lab images build` labels as its own: every image the node needs, the pause image included. */
async function labImages(): Promise<string[]> {
  const { stdout } = await run(dockerProgram, [
    'images',
    '--filter',
    'label=dev.obslab.built-by=lab-images-build',
    '--format',
    '{{.Repository}}:{{.Tag}}',
  ]);
  return [...new Set(stdout.split('\n').filter((ref) => ref && !ref.includes('<none>')))];
}

describe(
  'the lab as real pods on a real node (containerd, kubelet, kube-proxy, CoreDNS, kube-network-policies); grafana, tempo and loki turned off (AGPL images not built here)',
  { skip: skipReason(), timeout: 50 * 60_000 },
  () => {
    let workDir: string;
    let daemon: DockerDaemon | undefined;
    let cp: ControlPlane | undefined;
    let kube: Kube;
    const forwards: PortForward[] = [];
    const timings: [string, string][] = [];
    const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      const value = await fn();
      timings.push([what, seconds(Date.now() - started)]);
      log(`${what}: ${seconds(Date.now() - started)}`);
      return value;
    };
    const forward = async (namespace: string, target: string, port: number) => {
      const pf = await kube.portForward(namespace, target, port);
      forwards.push(pf);
      return pf;
    };

    const deleteNamespace = async (namespace: string) => {
      await kube.kubectl(['delete', 'namespace', namespace, '--wait=true', '--timeout=180s']);
    };

    /** Renders one variant of the lab like `npm run synth` does and applies the directory as a user would. */
    const applyLab = async (
      namespace: string,
      props: LabChartProps,
      secrets: Record<string, Record<string, string>> = {},
    ) => {
      const dir = join(workDir, 'manifests', namespace);
      await mkdir(dir, { recursive: true });
      const files = distFilesOf(
        synthLab({ namespace, components: agplOff, ...props }),
        '.',
        `e2e lab ${namespace}`,
      );
      for (const file of files) await writeFile(join(dir, file.path), file.content);
      await kube.kubectl(['apply', '--server-side', '-f', join(dir, '00-namespace.k8s.yaml')]);
      for (const [name, data] of Object.entries(secrets)) {
        await kube.kubectl([
          '-n',
          namespace,
          'create',
          'secret',
          'generic',
          name,
          ...Object.entries(data).map(([key, value]) => `--from-literal=${key}=${value}`),
        ]);
      }
      await kube.kubectl(['apply', '--server-side', '-f', `${dir}/`]);
    };

    const json = async (url: string, init?: RequestInit) => {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
    const promQuery = async (base: string, query: string) => {
      const { status, body } = await json(`${base}/api/v1/query?query=${encodeURIComponent(query)}`);
      assert.equal(status, 200, JSON.stringify(body));
      return (body['data'] as { result: { metric: Record<string, string>; value: [number, string] }[] })
        .result;
    };

    let hostBefore: Awaited<ReturnType<typeof hostState>>;
    before(async () => {
      workDir = await mkdtemp(join(tmpdir(), 'obslab-node-e2e-'));
      daemon = await timed('dockerd ready', () => ensureDockerd(log));
      // After dockerd (which turns ip_forward on), before the node.
      hostBefore = await hostState();
      await timed('lab images build', async () => {
        const { stderr } = await run(process.execPath, [labJs, 'images', 'build'], {
          cwd: root,
          timeoutMs: 45 * 60_000,
        });
        for (const line of stderr.trimEnd().split('\n').slice(-12)) log(line);
      });
      const images = await labImages();
      assert.ok(images.includes(pauseImage), `lab images build made ${pauseImage}: ${images.join(', ')}`);
      cp = await timed(`control plane + real node up, ${images.length} images imported`, () =>
        startControlPlane({
          node: { images },
          workDir: join(workDir, 'cluster'),
          log,
          startTimeoutMs: 600_000,
        }),
      );
      kube = new Kube(cp.binaries.kubectl!, cp.kubeconfigPath);
    });

    after(async () => {
      for (const pf of forwards) await pf.close().catch(() => undefined);
      await cp?.stop();
      await daemon?.stop();
      await rm(workDir, { recursive: true, force: true });
      log(`timings:\n${timings.map(([what, time]) => `  ${what.padEnd(70)} ${time}`).join('\n')}`);
    });

    it('has one Ready node that runs pods on its own bridge, with the cluster DNS Service answering', async () => {
      const nodes = await kube.json<{
        items: { metadata: { name: string }; status: { addresses: { type: string; address: string }[] } }[];
      }>(['nodes']);
      assert.deepEqual(
        nodes.items.map((n) => n.metadata.name),
        [cp!.node!.name],
      );
      assert.equal(
        nodes.items[0]!.status.addresses.find((a) => a.type === 'InternalIP')?.address,
        cp!.node!.network.gateway,
      );
      const service = await kube.json<{ spec: { clusterIP: string } }>([
        '-n',
        'kube-system',
        'service',
        'kube-dns',
      ]);
      assert.equal(service.spec.clusterIP, '10.96.0.10');
    });

    describe('the synthesized manifests, SQLite (charts-ts/dist rendering)', () => {
      const ns = 'obslab';
      let app: PortForward;
      let prometheus: PortForward;

      it('applies with kubectl apply --server-side: every pod Running and Ready, restarts 0, claims Bound', async () => {
        await timed('SQLite lab: apply → all Ready', async () => {
          await applyLab(ns, { database: 'sqlite' });
          const pods = await kube.allReady(ns, 300_000);
          const names = pods.map((p) => p.metadata.labels?.['app.kubernetes.io/name']).sort();
          assert.deepEqual(names, ['frontend', 'frontend', 'otel-collector', 'prometheus', 'task-api']);
          for (const pod of pods) assert.equal(restarts(pod), 0, `${pod.metadata.name} restarted`);
        });
        const claims = await kube.json<{
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
            const [pod] = await kube.pods(ns, 'app.kubernetes.io/name=task-api');
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
        const before = await kube.pods(ns);
        await timed('kubelet + containerd restart → Ready', () => cp!.node!.restartRuntime());
        const pods = await kube.allReady(ns, 180_000, before.length);
        // As on a real node, the containers outlive their daemons: the same ones, not restarted.
        const containers = (list: readonly Pod[]) =>
          list
            .flatMap((p) =>
              (p.status.containerStatuses ?? []).map((c) => `${c.containerID} ${c.restartCount}`),
            )
            .sort();
        assert.deepEqual(
          containers(pods),
          containers(before),
          'the same containers, restart counts unchanged',
        );
        // The new kubelet and containerd start new containers too: task-api's pod replaced, its
        // SQLite file on the claim still there.
        const [taskApi] = await kube.pods(ns, 'app.kubernetes.io/name=task-api');
        await kube.kubectl(['-n', ns, 'delete', 'pod', taskApi!.metadata.name, '--wait=true']);
        const replaced = await kube.allReady(ns, 180_000, before.length);
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
          const pods = await kube.allReady(ns, 300_000);
          for (const pod of pods) assert.equal(restarts(pod), 0, `${pod.metadata.name} restarted`);
          assert.equal(
            pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'task-api').length,
            2,
          );
        });
        const claims = await kube.json<{
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
        const pg = (await kube.pods(ns, 'app.kubernetes.io/name=postgres'))[0]!;
        const rows = await kube.exec(ns, pg.metadata.name, [
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
        const frontend = (await kube.pods(ns, 'app.kubernetes.io/name=frontend')).find(isReady)!;
        const allowed = await kube.exec(ns, frontend.metadata.name, bashConnect('task-api', 3000));
        assert.equal(allowed.code, 0, `frontend → task-api must connect: ${allowed.output}`);
        // Dropped, not refused: the connection attempt times out (timeout's exit code 124).
        const blocked = await kube.exec(ns, frontend.metadata.name, bashConnect('postgres', 5432));
        assert.equal(blocked.code, 124, `frontend → postgres must be dropped: ${blocked.output}`);
        const taskApi = (await kube.pods(ns, 'app.kubernetes.io/name=task-api')).find(isReady)!;
        const toPostgres = await kube.exec(ns, taskApi.metadata.name, nodeConnect('postgres', 5432));
        assert.equal(toPostgres.code, 0, `task-api → postgres must connect: ${toPostgres.output}`);

        // A pod in another namespace: the chart lets only the ingress controller's namespace in.
        const probeImage = taskApiImage(await kube.pods(ns, 'app.kubernetes.io/name=task-api'));
        const probe = async (namespace: string, target: string, port: number) => {
          await kube.kubectl(['create', 'namespace', namespace]).catch(() => undefined);
          const name = `probe-${Date.now()}`;
          await kube.kubectl(
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
              const pod = await kube.json<Pod>(['-n', namespace, 'pod', name]);
              assert.ok(['Succeeded', 'Failed'].includes(pod.status.phase), pod.status.phase);
              return pod.status.phase;
            },
            { timeoutMs: 60_000, intervalMs: 500, description: `probe pod in ${namespace}` },
          );
          const output = await kube.kubectl(['-n', namespace, 'logs', name]);
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
        kube.kubectl([
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
            const lab = await kube.json<{
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
        await kube.kubectl(['apply', '--server-side', '-f', join(root, 'operator/dist/')]);
        const operatorPods = await kube.allReady('obslab-system', 180_000, 2);
        // Exactly one of the two replicas leads.
        const leader = await eventually(
          async () => {
            const leases = await kube.json<{ items: { spec: { holderIdentity?: string } }[] }>([
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

        await kube.kubectl(['create', 'namespace', ns]);
        await kube.kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
        await kube.kubectl([
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
          await kube.kubectl(['apply', '--server-side', '-f', '-'], labObject(labSpec(2)));
          await labReady();
        });
        const pods = await kube.allReady(ns, 60_000);
        assert.ok(pods.length >= 5, pods.map((p) => p.metadata.name).join(', '));
      });

      it('turns Ready False while PostgreSQL’s pod is really not ready, and True again once it is', async () => {
        const [postgres] = await kube.pods(ns, 'app.kubernetes.io/name=postgres');
        await kube.kubectl(['-n', ns, 'delete', 'pod', postgres!.metadata.name, '--wait=false']);
        const notReady = await eventually(
          async () => {
            const lab = await kube.json<{
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
        const [replaced] = await kube.pods(ns, 'app.kubernetes.io/name=postgres');
        assert.notEqual(replaced!.metadata.uid, postgres!.metadata.uid);
        assert.ok(isReady(replaced!));
      });

      it('repairs what only it owns: a deleted Deployment and an edited ConfigMap', async () => {
        await kube.kubectl(['-n', ns, 'delete', 'deployment', 'frontend', '--wait=false']);
        const configMaps = await kube.json<{
          items: { metadata: { name: string }; data?: Record<string, string> }[];
        }>(['-n', ns, 'configmaps', '-l', 'app.kubernetes.io/name=otel-collector']);
        const configMap = configMaps.items[0]!;
        const key = Object.keys(configMap.data ?? {})[0]!;
        await kube.kubectl([
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
            const now = await kube.json<{ data: Record<string, string> }>([
              '-n',
              ns,
              'configmap',
              configMap.metadata.name,
            ]);
            assert.equal(now.data[key], configMap.data![key]);
            await kube.json(['-n', ns, 'deployment', 'frontend']);
          },
          { timeoutMs: 120_000, intervalMs: 1_000, description: 'repaired' },
        );
        await labReady();
        await kube.allReady(ns, 180_000);
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
            assert.equal((await kube.pods(ns, 'app.kubernetes.io/name=task-api')).filter(isReady).length, 3),
          { timeoutMs: 180_000, intervalMs: 1_000, description: '3 task-api replicas Ready' },
        );
        await labReady();
        // Back to 2: one pod gets SIGTERM after its preStop sleep and drains its connections.
        await setReplicas(2);
        await eventually(
          async () => assert.equal((await kube.pods(ns, 'app.kubernetes.io/name=task-api')).length, 2),
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
        const claimsBefore = await kube.json<{ items: { metadata: { name: string; uid: string } }[] }>([
          '-n',
          ns,
          'pvc',
          '-l',
          'app.kubernetes.io/name=postgres',
        ]);
        assert.equal(claimsBefore.items.length, 1);
        await kube.kubectl(['-n', ns, 'delete', 'olab', 'demo', '--wait=true', '--timeout=180s']);
        await eventually(async () => assert.equal((await kube.pods(ns)).length, 0), {
          timeoutMs: 120_000,
          intervalMs: 1_000,
          description: 'lab pods gone',
        });
        const claimsAfter = await kube.json<{ items: { metadata: { name: string; uid: string } }[] }>([
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

        await kube.kubectl(['apply', '--server-side', '-f', '-'], labObject(labSpec(1)));
        await labReady();
        app = await forward(ns, 'service/frontend', 8080);
        const list = await json(`${app.url}/api/tasks?limit=100`);
        const titles = (list.body['tasks'] as { title: string }[]).map((t) => t.title);
        assert.ok(titles.includes('kept by retainData'), titles.join(', '));
      });
    });

    it('stops leaving nothing behind: no bridge, nftables tables, network namespaces, mounts or processes', async () => {
      const node = cp!.node!;
      const pids = node.processes.map((p) => p.pid);
      for (const pf of forwards.splice(0)) await pf.close();
      await timed('stop', () => cp!.stop());
      assert.equal(existsSync(`/sys/class/net/${node.network.bridge}`), false, 'bridge removed');
      assert.deepEqual(
        await hostState(),
        hostBefore,
        'nftables tables, KUBE-* chains, network namespaces and kernel settings as before',
      );
      assert.equal(nodeCgroupExists(), false, 'the node’s pod cgroup removed (no container left in it)');
      assert.ok(
        !readFileSync('/proc/self/mounts', 'utf8').includes(workDir),
        'no mount left under the work dir',
      );
      for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `pid ${pid} still runs`);
      assert.deepEqual(processesMentioning(workDir), [], 'no process (shim, container) of the node left');
      assert.equal(existsSync(cp!.workDir), false);
    });
  },
);

function taskApiImage(pods: readonly Pod[]): string {
  const pod = pods[0] as unknown as { spec: { containers: { image: string }[] } };
  return pod.spec.containers[0]!.image;
}

/** What a node changes on the host and must put back: firewall tables and chains, network namespaces, kernel settings. */
async function hostState() {
  const { stdout: tables } = await run('nft', ['list', 'tables']);
  const chains: string[] = [];
  for (const tool of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'nat', 'mangle']) {
      const { stdout } = await run(tool, ['-t', table, '-S']);
      chains.push(
        ...stdout
          .split('\n')
          .filter((line) => line.includes('KUBE-'))
          .map((line) => `${tool} ${table} ${line}`),
      );
    }
  }
  const netns = existsSync('/run/netns') ? readdirSync('/run/netns').sort() : [];
  return {
    nftTables: tables.trim().split('\n').sort(),
    kubeChains: chains,
    netns,
    sysctls: snapshotSysctls(),
  };
}

/** Pids whose command line names `dir`. */
function processesMentioning(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}
