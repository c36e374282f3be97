import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The operator's Prometheus metrics, in a registry of their own. */
export interface OperatorMetrics {
  readonly registry: Registry;
  readonly reconciles: Counter<'result'>;
  readonly reconcileDuration: Histogram<'result'>;
  readonly queueDepth: Gauge;
  readonly apiRequests: Counter<'verb' | 'resource' | 'code'>;
  readonly watches: Counter<'resource'>;
  readonly objectsApplied: Counter;
  readonly objectsPruned: Counter;
  readonly leader: Gauge;
}

export function createOperatorMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'obslab_operator_' });
  return {
    registry,
    reconciles: new Counter({
      name: 'obslab_operator_reconcile_total',
      help: 'Reconcile passes by result (success, requeue, error).',
      labelNames: ['result'],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'obslab_operator_reconcile_duration_seconds',
      help: 'Duration of reconcile passes.',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'obslab_operator_queue_depth',
      help: 'Labs waiting in the work queue.',
      registers: [registry],
    }),
    apiRequests: new Counter({
      name: 'obslab_operator_api_requests_total',
      help: 'Requests to the Kubernetes API (not watches) by verb, resource and status code (0: no answer).',
      labelNames: ['verb', 'resource', 'code'],
      registers: [registry],
    }),
    watches: new Counter({
      name: 'obslab_operator_watch_requests_total',
      help: 'Watch requests opened (each informer reopens its watch after the server closes it).',
      labelNames: ['resource'],
      registers: [registry],
    }),
    objectsApplied: new Counter({
      name: 'obslab_operator_objects_applied_total',
      help: 'Child objects sent with server-side apply (unchanged objects are not sent).',
      registers: [registry],
    }),
    objectsPruned: new Counter({
      name: 'obslab_operator_objects_pruned_total',
      help: 'Child objects deleted because the lab no longer wants them.',
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'obslab_operator_leader',
      help: '1 while this replica holds the leader lease.',
      registers: [registry],
    }),
  };
}
