import { eventually } from '@obslab/process';
import {
  type OtlpReceiver,
  type PostgresServer,
  type ReceivedSpan,
  SpanKinds,
  startOtlpGrpcReceiver,
  startOtlpReceiver,
  startPostgres,
} from '@obslab/testing';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ServiceProcess, startServiceProcess } from '../testing/service-process.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const dirs: string[] = [];
const tempDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'obslab-telemetry-'));
  dirs.push(dir);
  return dir;
};

/** Fast batches so that tests see exports within a second. */
const FAST_EXPORT = { OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_BLRP_SCHEDULE_DELAY: '100', LOG_LEVEL: 'info' };

let postgres: PostgresServer;
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await postgres?.destroy();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`telemetry exported over OTLP/HTTP JSON on ${database}`, () => {
    let receiver: OtlpReceiver;
    let service: ServiceProcess;
    const traceId = hex(16);
    const parentSpanId = hex(8);
    const title = `secret-title-${hex(4)}`;
    let taskId: number;

    before(async () => {
      receiver = await startOtlpReceiver();
      const databaseEnv =
        database === 'postgres'
          ? { DATABASE_URL: await postgres.createDatabase(`telemetry_${hex(3)}`) }
          : { DATA_DIR: tempDataDir() };
      service = await startServiceProcess({
        ...databaseEnv,
        ...FAST_EXPORT,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'task-api-under-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      });
      const created = await fetch(`${service.baseUrl}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${parentSpanId}-01` },
        body: JSON.stringify({ title }),
      });
      assert.equal(created.status, 201);
      taskId = ((await created.json()) as { id: number }).id;
    });
    after(async () => {
      await service?.stop();
      await receiver?.close();
    });

    const serverSpan = (id: string, name: string) =>
      eventually(
        () => {
          const span = receiver.spans.find((s) => s.traceId === id && s.kind === SpanKinds.server);
          assert.ok(span, `a SERVER span of trace ${id}`);
          assert.equal(span.name, name);
          return span;
        },
        { description: `SERVER span ${name}` },
      );

    it('continues the incoming traceparent in a SERVER span named by the route template', async () => {
      const span = await serverSpan(traceId, 'POST /api/tasks');
      assert.equal(span.parentSpanId, parentSpanId);
      assert.equal(span.attributes['http.route'], '/api/tasks');
      assert.equal(span.attributes['http.response.status_code'], 201);
      assert.equal(span.resource['service.name'], 'task-api-under-test');
      assert.equal(span.resource['deployment.environment.name'], 'test');
    });

    it('makes a CLIENT child span per SQL statement with the stable database conventions and no values', async () => {
      const server = await serverSpan(traceId, 'POST /api/tasks');
      const children = await eventually(() => {
        const spans = receiver.spans.filter((s) => s.traceId === traceId && s.kind === SpanKinds.client);
        assert.ok(
          spans.some((s) => s.attributes['db.operation.name'] === 'INSERT'),
          'an INSERT span',
        );
        return spans;
      });
      for (const child of children) {
        assert.equal(child.parentSpanId, server.spanId, `${child.name} is a child of the request`);
        assert.equal(child.attributes['db.system.name'], database === 'sqlite' ? 'sqlite' : 'postgresql');
        assert.doesNotMatch(JSON.stringify(child.attributes), new RegExp(title), 'no bound value leaks');
      }
      const insert = children.find((s) => s.attributes['db.operation.name'] === 'INSERT')!;
      assert.equal(insert.attributes['db.collection.name'], 'tasks');
      assert.equal(insert.name, 'INSERT tasks');
      assert.match(String(insert.attributes['db.query.text']), database === 'sqlite' ? /\?/ : /\$1/);
    });

    it('names the span of a parameterized route by its template and traces its SELECT', async () => {
      const readTrace = hex(16);
      const response = await fetch(`${service.baseUrl}/api/tasks/${taskId}`, {
        headers: { traceparent: `00-${readTrace}-${hex(8)}-01` },
      });
      assert.equal(response.status, 200);
      const server = await serverSpan(readTrace, 'GET /api/tasks/:id');
      const select = await eventually(() => {
        const span = receiver.spans.find(
          (s) => s.traceId === readTrace && s.attributes['db.operation.name'] === 'SELECT',
        );
        assert.ok(span, 'a SELECT span');
        return span;
      });
      assert.equal(select.parentSpanId, server.spanId);
      assert.equal(select.attributes['db.collection.name'], 'tasks');
    });

    it('never puts a value in db.query.text: a get by an id that cannot collide with LIMIT 1', async () => {
      const readTrace = hex(16);
      const id = 7_340_033;
      const response = await fetch(`${service.baseUrl}/api/tasks/${id}`, {
        headers: { traceparent: `00-${readTrace}-${hex(8)}-01` },
      });
      assert.equal(response.status, 404);
      const select = await eventually(() => {
        const span = receiver.spans.find(
          (s) => s.traceId === readTrace && s.attributes['db.operation.name'] === 'SELECT',
        );
        assert.ok(span, 'a SELECT span');
        return span;
      });
      const text = String(select.attributes['db.query.text']);
      assert.doesNotMatch(text, new RegExp(String(id)), text);
      assert.match(text, database === 'sqlite' ? /id = \?/ : /= \$1/, text);
    });

    it('marks the span of /api/simulate-error as an error with the exception recorded', async () => {
      const errorTrace = hex(16);
      const response = await fetch(`${service.baseUrl}/api/simulate-error`, {
        headers: { traceparent: `00-${errorTrace}-${hex(8)}-01` },
      });
      assert.equal(response.status, 500);
      const span: ReceivedSpan = await serverSpan(errorTrace, 'GET /api/simulate-error');
      assert.equal(span.status.code, 2, 'status ERROR');
      assert.ok(
        span.events.some((event) => event.name === 'exception'),
        'an exception event',
      );
    });

    it('exports log records carrying the trace id, and prints the same on stdout', async () => {
      const record = await eventually(() => {
        const found = receiver.logs.find((log) => log.traceId === traceId && log.body === 'request');
        assert.ok(found, 'an access log record with the trace id');
        return found;
      });
      assert.equal(record.resource['service.name'], 'task-api-under-test');
      const line = service
        .logs()
        .find((entry) => entry['trace_id'] === traceId && entry['msg'] === 'request');
      assert.ok(line, 'a stdout access line with trace_id');
      assert.equal(line['route'], '/api/tasks');
      assert.equal(line['status'], 201);
      assert.equal(typeof line['duration_ms'], 'number');
      assert.match(String(line['span_id']), /^[0-9a-f]{16}$/);
    });

    it('links histogram samples to the trace with an exemplar in the OpenMetrics exposition', async () => {
      const response = await fetch(`${service.baseUrl}/metrics`, {
        headers: { accept: 'application/openmetrics-text; version=1.0.0' },
      });
      assert.match(response.headers.get('content-type') ?? '', /application\/openmetrics-text/);
      const text = await response.text();
      assert.match(
        text,
        new RegExp(
          `http_request_duration_seconds_bucket\\{[^}]*endpoint="/api/tasks"[^}]*\\} \\d+ # \\{trace_id="${traceId}"\\}`,
        ),
      );
      assert.match(
        text,
        new RegExp(
          `db_query_duration_seconds_bucket\\{[^}]*operation="INSERT"[^}]*\\} \\d+ # \\{trace_id="${traceId}"\\}`,
        ),
      );
    });
  });
}

describe('telemetry export choices', () => {
  it('exports with the default protocol, http/protobuf', async () => {
    const receiver = await startOtlpReceiver();
    const service = await startServiceProcess({
      DATA_DIR: tempDataDir(),
      ...FAST_EXPORT,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    });
    try {
      const traceId = hex(16);
      await fetch(`${service.baseUrl}/api/tasks`, { headers: { traceparent: `00-${traceId}-${hex(8)}-01` } });
      const traceExport = await eventually(() => {
        const found = receiver.raw.find(
          (r) => r.path === '/v1/traces' && r.body.includes(Buffer.from(traceId, 'hex')),
        );
        assert.ok(found, 'a protobuf trace export holding the trace id');
        return found;
      });
      assert.equal(traceExport.contentType, 'application/x-protobuf');
      await eventually(() =>
        assert.ok(
          receiver.raw.some((r) => r.path === '/v1/logs'),
          'a protobuf logs export',
        ),
      );
    } finally {
      await service.stop();
      await receiver.close();
    }
  });

  it('exports traces and logs over OTLP/gRPC', async () => {
    const receiver = await startOtlpGrpcReceiver();
    const service = await startServiceProcess({
      DATA_DIR: tempDataDir(),
      ...FAST_EXPORT,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    try {
      const traceId = hex(16);
      await fetch(`${service.baseUrl}/api/tasks`, { headers: { traceparent: `00-${traceId}-${hex(8)}-01` } });
      await eventually(() => {
        const traces = receiver.exports.filter((e) => e.method.endsWith('trace.v1.TraceService/Export'));
        assert.ok(
          traces.some((e) => e.body.includes(Buffer.from(traceId, 'hex'))),
          'a gRPC trace export holding the trace id',
        );
        assert.ok(
          receiver.exports.some((e) => e.method.endsWith('logs.v1.LogsService/Export')),
          'a gRPC logs export',
        );
      });
    } finally {
      await service.stop();
      await receiver.close();
    }
  });

  it('traces without an endpoint: every access line and exemplar carries a real trace id, and nothing is sent', async () => {
    let attempts = 0;
    const defaultCollector = createServer((_request, response) => {
      attempts++;
      response.end();
    });
    await new Promise<void>((resolve, reject) => {
      defaultCollector.once('error', (error) =>
        reject(new Error(`port 4318 must be free for this test: ${error.message}`)),
      );
      defaultCollector.listen(4318, '127.0.0.1', resolve);
    });
    const service = await startServiceProcess({ DATA_DIR: tempDataDir(), ...FAST_EXPORT });
    try {
      await fetch(`${service.baseUrl}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"title":"quiet"}',
      });
      await fetch(`${service.baseUrl}/api/simulate-error`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      assert.deepEqual(await service.stop(), { code: 0, signal: null });
      defaultCollector.close();
    }
    assert.equal(attempts, 0, 'nothing was sent to the default OTLP port');
    assert.equal(service.noise(), '', 'every line on stdout is JSON and stderr is empty');
    const requests = service.logs().filter((line) => line['msg'] === 'request');
    assert.ok(requests.length >= 2, 'access lines are still logged');
    for (const line of requests) {
      assert.match(String(line['trace_id']), /^[0-9a-f]{32}$/);
      assert.notEqual(
        line['trace_id'],
        '0'.repeat(32),
        `an access line without a trace: ${JSON.stringify(line)}`,
      );
      assert.equal(line['trace_flags'], '01', 'spans are sampled, so exemplars carry them');
    }
  });

  it('keeps exporting logs when only traces are switched off', async () => {
    const receiver = await startOtlpReceiver();
    const service = await startServiceProcess({
      DATA_DIR: tempDataDir(),
      ...FAST_EXPORT,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_EXPORTER: 'none',
    });
    try {
      await fetch(`${service.baseUrl}/api/tasks`);
      await eventually(() =>
        assert.ok(
          receiver.logs.some((log) => log.body === 'request'),
          'an access log record',
        ),
      );
      assert.equal(receiver.spans.length, 0);
    } finally {
      await service.stop();
      await receiver.close();
    }
  });
});
