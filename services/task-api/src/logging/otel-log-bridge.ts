import { type Attributes, type AttributeValue, context, logs, SeverityNumber } from '@opentelemetry/api';

/** The OTel severity of each pino level (trace 10 … fatal 60). */
const SEVERITY: Record<number, [SeverityNumber, string]> = {
  10: [SeverityNumber.TRACE, 'trace'],
  20: [SeverityNumber.DEBUG, 'debug'],
  30: [SeverityNumber.INFO, 'info'],
  40: [SeverityNumber.WARN, 'warn'],
  50: [SeverityNumber.ERROR, 'error'],
  60: [SeverityNumber.FATAL, 'fatal'],
};

/** Fields censored in exported records, as the logger's `redact` censors them on stdout. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'databaseUrl'] as const;
export const CENSOR = '***';

/** Emits one pino call as an OpenTelemetry log record, from the logged object itself. */
export type LogRecordEmitter = (args: unknown[], level: number) => void;

/**
 * Sends every log line over the OpenTelemetry Logs API (the SDK's LoggerProvider exports it over
 * OTLP) straight from the arguments of the pino call, so that a line is serialized once, for
 * stdout, instead of being serialized, parsed back and converted. The record carries the active
 * span's context (trace_id, span_id), the message as body and the logged fields as attributes.
 */
export function otelLogRecordEmitter(serviceName: string, loggerName = 'task-api'): LogRecordEmitter {
  const logger = logs.getLogger(loggerName);
  return (args, level) => {
    const [first, second] = args;
    const fields = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
    const message = fields === first ? second : first;
    const attributes: Attributes = { service: serviceName };
    let exception: unknown;
    for (const key in fields) {
      const value = fields[key];
      if (key === 'err' && value instanceof Error) exception = value;
      else if (value !== undefined) attributes[key] = attributeValue(value);
    }
    censor(attributes);
    const [severityNumber, severityText] = SEVERITY[level] ?? [SeverityNumber.UNSPECIFIED, String(level)];
    logger.emit({
      timestamp: Date.now(),
      severityNumber,
      severityText,
      ...(message === undefined
        ? {}
        : { body: typeof message === 'string' ? message : attributeValue(message) }),
      attributes,
      ...(exception === undefined ? {} : { exception }),
      context: context.active(),
    });
  };
}

function attributeValue(value: unknown): AttributeValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? String(value);
}

/** Censors the redacted paths in place; nested ones (req.headers.…) arrive serialized as JSON text. */
function censor(attributes: Attributes): void {
  if ('databaseUrl' in attributes) attributes['databaseUrl'] = CENSOR;
  const req = attributes['req'];
  if (typeof req === 'string') {
    try {
      const parsed = JSON.parse(req) as { headers?: Record<string, unknown> };
      if (parsed.headers) {
        for (const header of ['authorization', 'cookie'])
          if (header in parsed.headers) parsed.headers[header] = CENSOR;
      }
      attributes['req'] = JSON.stringify(parsed);
    } catch {
      attributes['req'] = CENSOR;
    }
  }
}
