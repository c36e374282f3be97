// `npm run bench` in operator/ (nx run operator:bench): the real operator process (`lab operator
// run --leader-elect`) against a real control plane (etcd, kube-apiserver, kube-controller-manager
// with the garbage collector; no deployment controller or nodes, so only the operator's own work is
// timed). Baseline measured in the same run: `kubectl apply --server-side` of the same lab's
// objects, what a person would do without the operator.
//   1. create → every child applied: 20 labs one after another (p50, p95)
//   2. 50 labs in 50 namespaces created at once → all converged
//   3. API requests per reconcile and per lab
//   4. 60 s idle: requests other than watches and the leader lease (target 0)
//   5. operator RSS after 70 labs
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { synthLab } from '@obslab/charts-ts';
import { startControlPlane } from '@obslab/control-plane';
import { eventually, freePort, run } from '@obslab/process';
import { findWorkspaceRoot } from '@obslab/stack';
import { labApiVersion } from '../lab/lab.schema.js';
import { operatorNodeFlags } from '../manifests/operator.chart.js';
import { KubeClient } from '../runtime/kube.client.js';
import { installOperatorDist } from '../testing/install-dist.js';
import { childResource, labResource } from '../lab/lab.resources.js';
import { type ResourceRef } from '../runtime/resources.js';

const root = findWorkspaceRoot();
const sequentialLabs = 20;
const parallelLabs = 50;
const idleSeconds = Number(process.env['BENCH_IDLE_SECONDS'] ?? 60);
const progress = (message: string) => console.error(`[bench] ${message}`);
const namespaces: ResourceRef = {
  kind: 'Namespace',
  group: '',
  version: 'v1',
  plural: 'namespaces',
  namespaced: false,
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const workDir = await mkdtemp(join(tmpdir(), 'obslab-operator-bench-'));
progress('starting the control plane');
const controlPlane = await startControlPlane({
  controllers: [
    'garbage-collector-controller',
    'namespace-controller',
    'serviceaccount-controller',
    'serviceaccount-token-controller',
  ],
});
const kubectlBin = controlPlane.binaries.kubectl ?? 'kubectl';
const kubectl = (...args: string[]) =>
  run(kubectlBin, ['--kubeconfig', controlPlane.kubeconfigPath, ...args], { timeoutMs: 120_000 });
const kc = new KubeConfig();
kc.loadFromFile(controlPlane.kubeconfigPath);
const admin = await KubeClient.fromKubeConfig(kc, { fieldManager: 'bench' });
let operatorPid: number | undefined;

try {
  await installOperatorDist(kubectl, root);

  // Baseline: kubectl apply --server-side of one lab's objects, 5 times in fresh namespaces.
  progress('baseline: kubectl apply --server-side of a lab, 5 times');
  const baseline: number[] = [];
  for (let i = 0; i < 5; i++) {
    const file = join(workDir, `kubectl-${i}.json`);
    await writeFile(
      file,
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: synthLab({ namespace: `kubectl-${i}` }) }),
    );
    const start = performance.now();
    await kubectl('apply', '--server-side', '--field-manager=bench', '-f', file);
    baseline.push(performance.now() - start);
  }

  // The operator as a process, as users run it.
  const port = await freePort();
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  const operator = spawn(
    process.execPath,
    [
      ...(process.env['BENCH_NODE_FLAGS']?.split(' ').filter(Boolean) ?? operatorNodeFlags),
      join(root, 'tools/lab/bin/lab.js'),
      'operator',
      'run',
      '--leader-elect',
      '--kubeconfig',
      controlPlane.kubeconfigPath,
      '--probes-address',
      `127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  operatorPid = operator.pid;
  let operatorLog = '';
  operator.stderr.on('data', (chunk: Buffer) => {
    operatorLog = (operatorLog + chunk.toString()).slice(-20_000);
  });
  await eventually(
    () =>
      fetch(`http://127.0.0.1:${port}/readyz`).then((r) =>
        r.ok ? r : Promise.reject(new Error(String(r.status))),
      ),
    {
      timeoutMs: 30_000,
      description: 'operator ready',
    },
  );
  const metrics = async () => {
    const text = await (await fetch(metricsUrl)).text();
    const sum = (name: string, filter: (series: string) => boolean = () => true) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(name) && filter(line))
        .reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
    return {
      requests: sum('obslab_operator_api_requests_total', (l) => !l.includes('resource="leases"')),
      leaseRequests: sum('obslab_operator_api_requests_total', (l) => l.includes('resource="leases"')),
      watches: sum('obslab_operator_watch_requests_total'),
      reconciles: sum('obslab_operator_reconcile_total'),
      applied: sum('obslab_operator_objects_applied_total'),
      rss: sum('obslab_operator_process_resident_memory_bytes'),
      heapUsed: sum('obslab_operator_nodejs_heap_size_used_bytes'),
    };
  };

  const empty = await metrics();

  // The bench watches the labs and notes when each first reports status for generation 1.
  const converged = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const watch = await new Watch(kc).watch(
    `/apis/${labApiVersion}/observabilitylabs`,
    {},
    (
      _phase,
      object: {
        metadata: { namespace: string };
        status?: {
          observedGeneration?: number;
          conditions?: { type: string; status: string; message: string }[];
        };
      },
    ) => {
      // Converged: status written for generation 1, nothing Degraded, no child missing.
      const conditions = object.status?.conditions ?? [];
      const degraded = conditions.find((c) => c.type === 'Degraded')?.status !== 'False';
      const missing = conditions.some((c) => c.message.includes('missing'));
      if ((object.status?.observedGeneration ?? 0) < 1 || degraded || missing) return;
      const key = object.metadata.namespace;
      if (!converged.has(key)) converged.set(key, performance.now());
      waiters.get(key)?.();
    },
    () => undefined,
  );
  const appliedIn = (namespace: string) =>
    new Promise<void>((resolve, reject) => {
      if (converged.has(namespace)) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`${namespace}: no status within 120 s\n${operatorLog}`)),
        120_000,
      );
      waiters.set(namespace, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  const createLab = async (namespace: string) => {
    await admin.create(namespaces, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
    const start = performance.now();
    await admin.create(labResource, namespace, {
      apiVersion: labApiVersion,
      kind: 'ObservabilityLab',
      metadata: { name: 'lab', namespace },
      spec: {},
    });
    return start;
  };
  const childrenOf = async (namespace: string) => {
    let count = 0;
    for (const kind of [
      'Deployment',
      'Service',
      'ConfigMap',
      'NetworkPolicy',
      'PersistentVolumeClaim',
      'Ingress',
      'Role',
      'RoleBinding',
      'ServiceAccount',
      'PodDisruptionBudget',
    ]) {
      count += (
        await admin.list(childResource(kind), { namespace, labelSelector: 'lab.obslab.dev/name=lab' })
      ).items.length;
    }
    return count;
  };
  const expectedChildren = synthLab({ namespace: 'x' }).length - 1; // without the Namespace

  progress(`1/4 create → applied: ${sequentialLabs} labs one after another`);
  const latencies: number[] = [];
  for (let i = 0; i < sequentialLabs; i++) {
    const namespace = `seq-${i}`;
    const start = await createLab(namespace);
    await appliedIn(namespace);
    latencies.push(converged.get(namespace)! - start);
  }
  for (const namespace of ['seq-0', `seq-${sequentialLabs - 1}`]) {
    const count = await childrenOf(namespace);
    if (count !== expectedChildren)
      throw new Error(`${namespace} has ${count} children, expected ${expectedChildren}`);
  }

  progress(`2/4 ${parallelLabs} labs in ${parallelLabs} namespaces at once`);
  const before = await metrics();
  const burstStart = performance.now();
  await Promise.all(Array.from({ length: parallelLabs }, (_, i) => createLab(`par-${i}`)));
  await Promise.all(Array.from({ length: parallelLabs }, (_, i) => appliedIn(`par-${i}`)));
  const burstMs =
    Math.max(...Array.from({ length: parallelLabs }, (_, i) => converged.get(`par-${i}`)!)) - burstStart;
  // Settled: the queue drains (status updates of the children trigger a few more passes).
  await sleep(3_000);
  const after = await metrics();
  for (const i of [0, parallelLabs - 1]) {
    const count = await childrenOf(`par-${i}`);
    if (count !== expectedChildren)
      throw new Error(`par-${i} has ${count} children, expected ${expectedChildren}`);
  }

  progress(`3/4 idle for ${idleSeconds} s`);
  const idleBefore = await metrics();
  await sleep(idleSeconds * 1000);
  const idleAfter = await metrics();
  const rssMb = idleAfter.rss / 2 ** 20;
  watch.abort();
  operator.kill('SIGTERM');
  operatorPid = undefined;

  const requestsPerLab = (after.requests - before.requests) / parallelLabs;
  const requestsPerReconcile =
    (after.requests - before.requests) / Math.max(1, after.reconciles - before.reconciles);
  const kubectlMedian = percentile(baseline, 50);
  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  const idleRequests = idleAfter.requests - idleBefore.requests;
  const rows: [string, string, string, string][] = [
    [
      'baseline: kubectl apply --server-side, one lab (median of 5)',
      `${kubectlMedian.toFixed(0)} ms`,
      '1.00',
      '',
    ],
    [
      'create → all children applied, p50 (20 labs)',
      `${p50.toFixed(0)} ms`,
      (p50 / kubectlMedian).toFixed(2),
      `≤ 1000 ms: ${p50 <= 1000 ? 'met' : 'MISSED'}`,
    ],
    [
      'create → all children applied, p95 (20 labs)',
      `${p95.toFixed(0)} ms`,
      (p95 / kubectlMedian).toFixed(2),
      '',
    ],
    [
      `${parallelLabs} labs in ${parallelLabs} namespaces → converged`,
      `${(burstMs / 1000).toFixed(1)} s`,
      (burstMs / (kubectlMedian * parallelLabs)).toFixed(2),
      `≤ 30 s: ${burstMs <= 30_000 ? 'met' : 'MISSED'}`,
    ],
    [
      'API requests per lab (burst; watches and lease excluded)',
      requestsPerLab.toFixed(1),
      '',
      `${expectedChildren} objects + status + finalizer + events`,
    ],
    [
      'API requests per reconcile (burst)',
      requestsPerReconcile.toFixed(1),
      '',
      `${after.reconciles - before.reconciles} passes`,
    ],
    [
      `API requests in ${idleSeconds} s idle (not watches, not lease)`,
      String(idleRequests),
      '',
      `= 0: ${idleRequests === 0 ? 'met' : 'MISSED'}`,
    ],
    [
      `watch requests opened in ${idleSeconds} s idle`,
      String(idleAfter.watches - idleBefore.watches),
      '',
      '12 watches stay open (300 s server timeout)',
    ],
    [
      `leader lease requests in ${idleSeconds} s idle`,
      String(idleAfter.leaseRequests - idleBefore.leaseRequests),
      '',
      'get + update every 5 s',
    ],
    [
      'operator RSS with no lab',
      `${(empty.rss / 2 ** 20).toFixed(0)} MB`,
      '',
      `V8 heap in use ${(empty.heapUsed / 2 ** 20).toFixed(0)} MB`,
    ],
    [
      `operator RSS with ${sequentialLabs + parallelLabs} labs`,
      `${rssMb.toFixed(0)} MB`,
      '',
      `≤ 150 MB: ${rssMb <= 150 ? 'met' : 'MISSED'} (V8 heap in use ${(idleAfter.heapUsed / 2 ** 20).toFixed(0)} MB)`,
    ],
  ];
  console.log('| measurement | value | × kubectl apply | target / note |\n| --- | ---: | ---: | --- |');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  const missed = rows.filter((r) => r[3].includes('MISSED'));
  if (missed.length > 0) process.exitCode = 1;
} finally {
  if (operatorPid) {
    try {
      process.kill(operatorPid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  admin.close();
  await controlPlane.stop();
  await rm(workDir, { recursive: true, force: true });
}
