// Wires the operator: API client → (leader election) → informers → work queue → reconciler, with
// /metrics, /healthz and /readyz. Library code: it reports failures through `done`, and only
// the CLI's main decides to exit.
import { type KubeConfig } from '@kubernetes/client-node';
import { labApi } from './lab/lab.schema.js';
import { fieldManager, reportingController, type ObservabilityLab } from './lab/lab.types.js';
import { KubeEventRecorder } from './runtime/events.js';
import { KubeClient } from './runtime/kube.client.js';
import { Informers } from './runtime/informers.js';
import { DesiredStateCache, type ClusterSettings } from './lab/lab.desired.js';
import { LabReconciler } from './lab/lab.reconciler.js';
import { labInformerKinds, labStoreOf } from './lab/lab.store.js';
import { LeaderElector } from './runtime/leader-election.js';
import { createOperatorMetrics, type OperatorMetrics } from './runtime/metrics.js';
import { startProbesServer, type ProbesServer } from './runtime/probes.server.js';
import { WorkQueue } from './runtime/work-queue.js';

/** A structured log line's writer. */
export type Logger = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** Logs one JSON object per line on stderr. */
export const jsonLogger: Logger = (level, message, fields = {}) => {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`,
  );
};

/** The API server does not serve lab.obslab.dev/v1alpha1: the CRD is not installed. */
export class CrdMissingError extends Error {
  constructor(server: string) {
    super(
      `${server} does not serve ${labApi.group}/${labApi.version}: the ObservabilityLab CRD is not installed`,
    );
    this.name = 'CrdMissingError';
  }
}

export interface OperatorOptions {
  readonly kubeconfig: KubeConfig;
  /** This replica's identity, for the lease and events. */
  readonly identity: string;
  /** Lease namespace and name; `false` runs without leader election (one replica only). */
  readonly leaderElection:
    { readonly namespace: string; readonly name?: string; readonly leaseDurationMs?: number } | false;
  /** Where /metrics, /healthz and /readyz listen; `false` for none. */
  readonly probes: { readonly host: string; readonly port: number } | false;
  /** Labs reconciled at once. Default: 4. */
  readonly concurrency?: number;
  /** Every lab is reconciled again this often from the cache, without API reads. Default: 10 min. */
  readonly resyncMs?: number;
  readonly cluster?: ClusterSettings;
  readonly log?: Logger;
  readonly clock?: () => Date;
}

export interface RunningOperator {
  readonly metrics: OperatorMetrics;
  /** Base URL of the probes server, if any. */
  readonly probesUrl: string | undefined;
  /** Settles when the operator stops: resolves after stop(), rejects when it fails (e.g. lost the lease). */
  readonly done: Promise<void>;
  /** Whether this replica leads and reconciles. */
  isLeader(): boolean;
  /** Stops reconciling, waits for passes in progress, releases the lease. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const log = options.log ?? jsonLogger;
  const metrics = createOperatorMetrics();
  const client = await KubeClient.fromKubeConfig(options.kubeconfig, {
    fieldManager,
    observe: (verb, resource, code) => metrics.apiRequests.inc({ verb, resource, code: String(code) }),
  });
  if (!(await client.serves(labApi.group, labApi.version))) {
    client.close();
    throw new CrdMissingError(options.kubeconfig.getCurrentCluster()?.server ?? 'the cluster');
  }
  const aborter = new AbortController();
  let failed = false;
  let synced = false;

  const desired = new DesiredStateCache(options.cluster);
  // Built now, started only by the leader.
  const informers = new Informers<ObservabilityLab>({
    kubeconfig: options.kubeconfig,
    client,
    ...labInformerKinds,
    onChange: (key) => queue.add(key),
    onWatch: (resource) => metrics.watches.inc({ resource }),
    log: (m, f) => log('warn', m, f),
  });
  const events = new KubeEventRecorder(client, reportingController, options.identity, options.clock, (m, f) =>
    log('warn', m, f),
  );
  const queue = new WorkQueue(
    async (key) => {
      const [namespace, name] = key.split('/') as [string, string];
      const end = metrics.reconcileDuration.startTimer();
      try {
        const result = await reconciler.reconcile(namespace, name);
        const outcome = result.requeueAfterMs === undefined ? 'success' : 'requeue';
        metrics.reconciles.inc({ result: outcome });
        end({ result: outcome });
        return result;
      } catch (error) {
        metrics.reconciles.inc({ result: 'error' });
        end({ result: 'error' });
        log('error', 'reconcile failed; retrying with backoff', {
          lab: key,
          error: (error as Error).message,
        });
        throw error;
      }
    },
    {
      concurrency: options.concurrency ?? 4,
      paused: true, // until every cache is filled
      onDepth: (depth) => metrics.queueDepth.set(depth),
    },
  );
  const reconciler = new LabReconciler({
    client,
    store: labStoreOf(informers),
    desired,
    events,
    ...(options.clock ? { clock: options.clock } : {}),
    log: (m, f) => log('info', m, f),
    onReport: (key, report) => {
      metrics.objectsApplied.inc(report.applied);
      metrics.objectsPruned.inc(report.pruned);
      if (report.applied || report.pruned) log('info', 'reconciled', { lab: key, ...report });
    },
  });

  const elector = options.leaderElection
    ? new LeaderElector({
        client,
        namespace: options.leaderElection.namespace,
        name: options.leaderElection.name ?? 'obslab-operator',
        identity: options.identity,
        ...(options.leaderElection.leaseDurationMs
          ? { leaseDurationMs: options.leaderElection.leaseDurationMs }
          : {}),
        log: (m, f) => log('info', m, f),
      })
    : undefined;

  let probes: ProbesServer | undefined;
  if (options.probes) {
    probes = await startProbesServer({
      ...options.probes,
      registry: metrics.registry,
      healthy: () => !failed,
      ready: () =>
        !failed && (elector && !elector.isLeader ? elector.reachable : synced && informers.healthy()),
    });
  }

  let resync: NodeJS.Timeout | undefined;
  const run = async () => {
    if (elector) {
      await elector.acquire(aborter.signal);
      metrics.leader.set(1);
    }
    await informers.start();
    await informers.synced(aborter.signal);
    if (aborter.signal.aborted) return;
    synced = true;
    for (const key of informers.primaryKeys()) queue.add(key);
    queue.resume();
    log('info', 'caches synced; reconciling', {
      labs: informers.primaryKeys().length,
      objects: informers.size(),
    });
    resync = setInterval(() => {
      for (const key of informers.primaryKeys()) queue.add(key);
    }, options.resyncMs ?? 600_000);
    resync.unref();
    if (elector) {
      try {
        await elector.hold(aborter.signal);
      } catch (error) {
        queue.pause(); // no new pass without the lease
        metrics.leader.set(0);
        throw error;
      }
    } else
      await new Promise<void>((resolve) =>
        aborter.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
  };

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      aborter.abort(new Error('operator stopping'));
      if (resync) clearInterval(resync);
      await queue.shutdown();
      await informers.stop();
      await elector?.release();
      metrics.leader.set(0);
      await probes?.close();
      client.close();
    })());

  const done = run().then(
    () => shutdown(),
    async (error: unknown) => {
      if (aborter.signal.aborted) return shutdown();
      failed = true;
      log('error', 'operator failed', { error: (error as Error).message });
      await shutdown();
      throw error;
    },
  );
  done.catch(() => undefined); // observed by the caller through `done`

  return {
    metrics,
    probesUrl: probes?.url,
    done,
    isLeader: () => (elector ? elector.isLeader : synced),
    stop: async () => {
      await shutdown();
      await done.catch(() => undefined);
    },
  };
}
