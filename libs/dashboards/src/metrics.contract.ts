/**
 * Metric names the dashboards may query, by source. The task service's are the contract in the
 * workspace README ("Metrics"); a histogram contributes its `_bucket`, `_sum` and `_count` series.
 */
export const SERVICE_METRICS = {
  counters: ['http_requests_total', 'http_errors_total'],
  histograms: ['http_request_duration_seconds', 'db_query_duration_seconds'],
} as const;

/** What Tempo's metrics-generator remote-writes (compose/config/tempo/tempo.yaml): span metrics and the service graph. */
export const TEMPO_GENERATOR_METRICS = {
  counters: [
    'traces_spanmetrics_calls_total',
    'traces_service_graph_request_total',
    'traces_service_graph_request_failed_total',
  ],
  histograms: [
    'traces_spanmetrics_latency',
    'traces_service_graph_request_server_seconds',
    'traces_service_graph_request_client_seconds',
  ],
} as const;

/** Every series name of the metric families above. */
export function seriesNames(source: {
  readonly counters: readonly string[];
  readonly histograms: readonly string[];
}): string[] {
  return [
    ...source.counters,
    ...source.histograms.flatMap((name) => [`${name}_bucket`, `${name}_sum`, `${name}_count`]),
  ];
}
