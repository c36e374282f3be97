import { BetterSqlite3Instrumentation } from '@obslab/instrumentation-better-sqlite3';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from '../config/app-config.js';
import { annotatePgQuery } from './pg-request-hook.js';

/** What {@link startTelemetry} hands back: flush and stop, bounded by the caller. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

const PROBE_PATHS = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

/**
 * Starts the OpenTelemetry SDK before the application is imported, so that http, pg and
 * better-sqlite3 are patched when they load (all three are CommonJS: no ESM loader hook is needed).
 * Logs reach the SDK's LoggerProvider from the service's pino logger itself (logging/logger.ts).
 * Exporters, endpoints, protocol, sampler and resource come from the standard OTEL_* variables (read by the SDK); this function only decides which
 * signals leave the process (see loadConfig) and which instrumentations run. Metrics are not
 * exported over OTLP: prom-client serves them at /metrics, one source per metric.
 */
export function startTelemetry(config: TelemetryConfig): Telemetry {
  if (config.disabled) return { shutdown: () => Promise.resolve() };

  const sdk = new NodeSDK({
    serviceName: config.serviceName,
    // Undefined lets the SDK build processors from OTEL_TRACES_EXPORTER / OTEL_LOGS_EXPORTER.
    // Without a trace exporter spans are still made (the SDK registers a tracer provider only for
    // at least one processor), so log lines and exemplars carry real trace ids; they go nowhere.
    ...(config.exportTraces ? {} : { spanProcessors: [new NoopSpanProcessor()] }),
    ...(config.exportLogs ? {} : { logRecordProcessors: [] }),
    metricReaders: [],
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes would drown the traces that matter.
        ignoreIncomingRequestHook: (request) => PROBE_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
        // The service makes no outgoing HTTP calls worth tracing (exporters use it themselves).
        disableOutgoingRequestInstrumentation: true,
      }),
      new PgInstrumentation({
        requireParentSpan: true,
        enhancedDatabaseReporting: false,
        requestHook: annotatePgQuery,
      }),
      new BetterSqlite3Instrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
