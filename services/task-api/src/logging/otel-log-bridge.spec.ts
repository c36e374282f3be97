import { context, type LogRecord, logs, ROOT_CONTEXT, SeverityNumber, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from './logger.js';

describe('log records sent to OpenTelemetry', () => {
  const records: LogRecord[] = [];
  const lines: Record<string, unknown>[] = [];
  const stdout = {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  };
  const contextManager = new AsyncLocalStorageContextManager();
  before(() => {
    context.setGlobalContextManager(contextManager.enable());
    // The Logs API's global provider, as the SDK registers it: this one keeps what it is given.
    logs.setGlobalLoggerProvider({
      getLogger: () => ({ enabled: () => true, emit: (record) => void records.push(record) }),
    });
  });
  after(() => {
    logs.disable();
    context.disable();
  });

  it('sends each line with its message, severity, fields and service, and censors redacted fields', () => {
    const logger = createLogger('info', 'bridge-spec', { exportLogs: true, destination: stdout });
    logger.debug({ quiet: true }, 'below the level');
    logger.info(
      { route: '/api/tasks', status: 201, tags: ['a', 'b'], databaseUrl: 'postgres://u:pw@h/db' },
      'request',
    );
    logger.warn('plain message');
    assert.equal(records.length, 2, 'nothing below the level is sent');
    const [request, plain] = records as [LogRecord, LogRecord];
    assert.equal(request.body, 'request');
    assert.equal(request.severityNumber, SeverityNumber.INFO);
    assert.equal(request.severityText, 'info');
    assert.deepEqual(request.attributes, {
      service: 'bridge-spec',
      route: '/api/tasks',
      status: 201,
      tags: ['a', 'b'],
      databaseUrl: '***',
    });
    assert.equal(plain.body, 'plain message');
    assert.equal(plain.severityNumber, SeverityNumber.WARN);
    assert.equal(lines.find((entry) => entry['msg'] === 'request')?.['databaseUrl'], '***');
  });

  it('carries the active span context and an error as the exception', () => {
    records.length = 0;
    const logger = createLogger('info', 'bridge-spec', { exportLogs: true, destination: stdout });
    const span = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
    const failure = new Error('boom');
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => logger.error({ err: failure }, 'unhandled error'));
    const [record] = records as [LogRecord];
    assert.equal(record.exception, failure);
    assert.equal(record.attributes?.['err'], undefined);
    assert.equal(trace.getSpan(record.context!)?.spanContext().traceId, 'a'.repeat(32));
    const line = lines.find((entry) => entry['msg'] === 'unhandled error');
    assert.equal(line?.['trace_id'], 'a'.repeat(32), 'the stdout line carries the trace id too');
    assert.equal(line['span_id'], 'b'.repeat(16));
  });

  it('sends nothing without exportLogs', () => {
    records.length = 0;
    createLogger('info', 'bridge-spec', { destination: stdout }).info('only on stdout');
    assert.equal(records.length, 0);
    assert.ok(lines.some((entry) => entry['msg'] === 'only on stdout'));
  });
});
