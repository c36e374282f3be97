import { context, trace } from '@opentelemetry/api';
import { type DestinationStream, pino, type Logger } from 'pino';
import type { LogLevel } from '../config/app-config.js';
import { CENSOR, otelLogRecordEmitter, REDACTED_PATHS } from './otel-log-bridge.js';

export interface LoggerOptions {
  /** Also send every line over the OpenTelemetry Logs API (OTLP when a logs exporter is set). */
  readonly exportLogs?: boolean;
  /** Where the JSON lines go; default stdout, written asynchronously. */
  readonly destination?: DestinationStream;
}

/** trace_id, span_id and trace_flags of the active span, for log correlation on stdout. */
function traceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}

/**
 * One JSON line per event on stdout, carrying trace_id and span_id inside a request. stdout is
 * written asynchronously (pino's SonicBoom destination: writes coalesce under load instead of
 * blocking the event loop, and are flushed synchronously at exit). With `exportLogs`, every line
 * is also emitted as an OpenTelemetry log record from the logged object (see otel-log-bridge).
 */
export function createLogger(level: LogLevel, serviceName: string, options: LoggerOptions = {}): Logger {
  const emit = options.exportLogs ? otelLogRecordEmitter(serviceName) : undefined;
  return pino(
    {
      level,
      base: { service: serviceName },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_PATHS], censor: CENSOR },
      mixin: traceFields,
      ...(emit && {
        hooks: {
          logMethod(args, method, levelValue) {
            emit(args, levelValue);
            method.apply(this, args);
          },
        },
      }),
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
