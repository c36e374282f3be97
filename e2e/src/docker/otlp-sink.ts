// The in-test OTLP sink of the compose suite, standing where Tempo (OTLP/gRPC on :4317) and Loki
// (OTLP/HTTP under /otlp) would: a second instance of the lab's Collector image on the compose
// network (`otlp-sink`) takes what the lab's Collector exports to those two endpoints and relays it
// as OTLP/JSON to an in-test receiver (@obslab/testing) listening on the compose network's gateway
// address, on the host side of the bridge the test's compose project created.

/** The relay's service name on the compose network. */
export const sinkService = 'otlp-sink';

/** Where the lab's Collector sends what would go to Tempo and Loki, in the test only. */
export const sinkEndpoints = {
  TEMPO_OTLP_ENDPOINT: `${sinkService}:4317`,
  LOKI_OTLP_ENDPOINT: `http://${sinkService}:4318/otlp`,
} as const;

/** The relay's Collector config: OTLP in as Tempo and Loki take it, OTLP/JSON out to `receiverUrl`. */
export function sinkConfigYaml(receiverUrl: string): string {
  return `# obslab e2e: an OTLP relay in place of Tempo and Loki (their images cannot be built here).
extensions:
  health_check:
    endpoint: 0.0.0.0:13133
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
      http:
        endpoint: 0.0.0.0:4318
        # Loki's OTLP endpoint is <base>/otlp/v1/logs: the lab's exporter appends /v1/logs to /otlp.
        logs_url_path: /otlp/v1/logs
exporters:
  otlp_http/test:
    endpoint: ${receiverUrl}
    encoding: json
    compression: none
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp_http/test]
    logs:
      receivers: [otlp]
      exporters: [otlp_http/test]
`;
}
