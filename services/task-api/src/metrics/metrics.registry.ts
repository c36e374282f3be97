import {
  Counter,
  Histogram,
  type Metric,
  type OpenMetricsContentType,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

/** Label names of the HTTP metrics: the contract the dashboards query. */
export type HttpLabel = 'method' | 'endpoint' | 'status_code';

/** Every Prometheus metric of the service, registered once. One source per metric. */
export interface ServiceMetrics {
  /** OpenMetrics registry: histograms carry trace-id exemplars here. */
  readonly openMetrics: Registry<OpenMetricsContentType>;
  /** The same metrics in the classic text format, for scrapers that do not ask for OpenMetrics. */
  readonly text: Registry;
  readonly httpRequests: Counter<HttpLabel>;
  readonly httpErrors: Counter<HttpLabel>;
  readonly httpDuration: Histogram<HttpLabel>;
  readonly dbQueryDuration: Histogram<'operation'>;
}

export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10];
export const DB_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2];

export function createServiceMetrics(): ServiceMetrics {
  const openMetrics = new Registry<OpenMetricsContentType>();
  openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const registers = [openMetrics];
  const labelNames: HttpLabel[] = ['method', 'endpoint', 'status_code'];
  const metrics: ServiceMetrics = {
    openMetrics,
    text: new Registry(),
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by method, route template and status code.',
      labelNames,
      registers,
    }),
    httpErrors: new Counter({
      name: 'http_errors_total',
      help: 'HTTP responses with status >= 400, by method, route template and status code.',
      labelNames,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route template and status code.',
      labelNames,
      buckets: HTTP_BUCKETS,
      enableExemplars: true,
      registers,
    }),
    dbQueryDuration: new Histogram({
      name: 'db_query_duration_seconds',
      help: 'SQL statement duration in seconds, by operation (SELECT, INSERT, UPDATE, DELETE, OTHER).',
      labelNames: ['operation'],
      buckets: DB_BUCKETS,
      enableExemplars: true,
      registers,
    }),
  };
  collectDefaultMetrics({ register: openMetrics });
  // A metric may sit in several registries; prom-client refuses exemplars only at construction.
  for (const metric of openMetrics.getMetricsAsArray())
    metrics.text.registerMetric(metric as unknown as Metric);
  return metrics;
}
