import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/app-config.js';

/**
 * One JSON line per event on stdout. Inside a request the OpenTelemetry pino instrumentation adds
 * trace_id and span_id (and, when a logs exporter is configured, sends the same record over OTLP).
 */
export function createLogger(level: LogLevel, serviceName: string): Logger {
  return pino({
    level,
    base: { service: serviceName },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'databaseUrl'], censor: '***' },
  });
}
