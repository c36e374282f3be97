// The compose lab's telemetry chain: a browser's trace and its logs at the Tempo and Loki endpoints,
// the Collector's own counters, every dashboard and SLO-rule expression answered, exemplars.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { loadPromqlExpressions, type PromqlExpression } from '@obslab/dashboards';
import { eventually } from '@obslab/process';
import { type ReceivedSpan, SpanKinds } from '@obslab/testing';
import { chromium } from 'playwright-core';
import { type ComposeLab } from './compose-lab.setup.js';
import { log, root } from './compose-suite.context.js';
import { startTraffic } from './mixed-traffic.js';
import { instantQuery, prometheusApi } from './prometheus.api.js';

const service = (span: ReceivedSpan) => {
  const name = span.resource['service.name'];
  return typeof name === 'string' ? name : '';
};

/** Registers these tests in the current describe; `lab()` is the running lab (set by its before hook). */
export function describeLabTelemetry(lab: () => ComposeLab): void {
  it('carries one trace from Chromium through nginx, task-api and the Collector to the Tempo endpoint, with HTTP and database spans, and its log lines to the Loki endpoint', async () => {
    const { runId, baseUrl, receiver } = lab();
    const browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    let traceId: string;
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(baseUrl);
      await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
      await page.getByLabel('Title', { exact: true }).fill(`traced from the browser ${runId}`);
      await page.getByRole('button', { name: 'Add task' }).click();
      await page.getByText(`traced from the browser ${runId}`).first().waitFor({ timeout: 15_000 });
      traceId = (await page.locator('#status').getAttribute('data-trace-id')) ?? '';
      assert.match(traceId, /^[0-9a-f]{32}$/);
      // The page exports its spans every second, task-api in batches: keep the page open until
      // the endpoint has the browser's spans and task-api's.
      await eventually(
        () => {
          const spans = receiver.spans.filter((span) => span.traceId === traceId);
          assert.ok(
            spans.some((span) => service(span) === 'frontend'),
            'no browser span yet',
          );
          assert.ok(
            spans.some((span) => service(span) === 'task-api' && span.kind === SpanKinds.server),
            'no task-api server span yet',
          );
          assert.ok(
            spans.some((span) => service(span) === 'task-api' && span.kind === SpanKinds.client),
            'no task-api database span yet',
          );
        },
        {
          timeoutMs: 60_000,
          intervalMs: 1_000,
          description: `the browser's and task-api's spans of trace ${traceId} reach the Tempo endpoint`,
        },
      );
    } finally {
      await browser.close();
    }
    const spans = receiver.spans.filter((span) => span.traceId === traceId);
    const server = spans.find((span) => service(span) === 'task-api' && span.kind === SpanKinds.server);
    assert.ok(server, `no task-api server span in ${JSON.stringify(spans.map((s) => [service(s), s.name]))}`);
    assert.equal(server.name, 'POST /api/tasks');
    const database = spans.filter((span) => service(span) === 'task-api' && span.kind === SpanKinds.client);
    assert.ok(
      database.some(
        (span) =>
          span.attributes['db.operation.name'] === 'INSERT' && span.attributes['db.system.name'] === 'sqlite',
      ),
      `no INSERT database span: ${JSON.stringify(database.map((s) => s.name))}`,
    );
    assert.equal(
      server.resource['deployment.environment.name'],
      'lab',
      'the Collector upserts the environment',
    );
    const logs = await eventually(
      () => {
        const received = receiver.logs;
        const ofTrace = received.filter(
          (record) => record.traceId === traceId && record.resource['service.name'] === 'task-api',
        );
        assert.ok(
          ofTrace.length > 0,
          `no task-api log record with trace id ${traceId} among ${received.length}`,
        );
        return ofTrace;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 1_000,
        description: `log lines of trace ${traceId} reach the sink`,
      },
    );
    log(
      `trace ${traceId}: ${spans.length} spans (${spans.filter((s) => service(s) === 'frontend').length} from the browser), ${logs.length} log records`,
    );
  });

  it('counts what the Collector accepted and sent on to the Tempo and Loki endpoints in its own metrics, scraped by Prometheus', async () => {
    const { prometheusUrl } = lab();
    const counts = await eventually(
      async () => {
        const value = async (query: string) =>
          Number((await instantQuery(prometheusUrl, query)).result[0]?.value[1] ?? 0);
        const found = {
          acceptedSpans: await value(
            'sum({__name__=~"otelcol_receiver_accepted_spans(_total)?",job="otel-collector"})',
          ),
          acceptedLogs: await value(
            'sum({__name__=~"otelcol_receiver_accepted_log_records(_total)?",job="otel-collector"})',
          ),
          sentSpans: await value(
            'sum({__name__=~"otelcol_exporter_sent_spans(_total)?",job="otel-collector",exporter="otlp_grpc/tempo"})',
          ),
          sentLogs: await value(
            'sum({__name__=~"otelcol_exporter_sent_log_records(_total)?",job="otel-collector",exporter="otlp_http/loki"})',
          ),
        };
        for (const [name, count] of Object.entries(found)) assert.ok(count > 0, `${name} = ${count}`);
        return found;
      },
      {
        timeoutMs: 90_000,
        intervalMs: 3_000,
        description: "the Collector's own counters are above 0 in Prometheus",
      },
    );
    log(`collector: ${JSON.stringify(counts)}`);
  });

  it("answers every PromQL expression of the dashboards and the SLO rules with data after mixed traffic (success, errors, slow), except the ones of Tempo's metrics generator", async () => {
    const { baseUrl, prometheusUrl } = lab();
    const expressions = loadPromqlExpressions(join(root, 'compose/config'));
    const runnable = expressions.filter((e) => e.tempoGeneratorSeries.length === 0);
    const tempoOnly = expressions.filter((e) => e.tempoGeneratorSeries.length > 0);
    assert.ok(runnable.length >= 40, `only ${runnable.length} expressions found`);
    const traffic = startTraffic(baseUrl);
    const answered = new Map<PromqlExpression, number>();
    try {
      await eventually(
        async () => {
          const missing: string[] = [];
          for (const expression of runnable) {
            if (answered.has(expression)) continue;
            const { result } = await instantQuery(prometheusUrl, expression.expr);
            const finite = result.filter((sample) => Number.isFinite(Number(sample.value[1])));
            if (finite.length > 0) answered.set(expression, result.length);
            else missing.push(`${expression.source}: ${result.length} series, none finite`);
          }
          assert.deepEqual(missing, [], `${missing.length} of ${runnable.length} expressions without data`);
        },
        { timeoutMs: 240_000, intervalMs: 5_000, description: 'every expression returns data' },
      );
    } finally {
      const { sent, statuses } = await traffic.stop();
      log(`traffic: ${sent} requests, statuses ${JSON.stringify(statuses)}`);
    }
    for (const expression of runnable) log(`  ${answered.get(expression)} series  ${expression.source}`);
    for (const expression of tempoOnly)
      log(
        `  needs Tempo's metrics generator (${expression.tempoGeneratorSeries.join(', ')}): ${expression.source}`,
      );
    assert.equal(answered.size, runnable.length);
  });

  it('stores exemplars whose trace ids are traces the Tempo endpoint received', async () => {
    const { prometheusUrl, receiver } = lab();
    const end = Date.now() / 1000;
    const exemplars = await prometheusApi<{ exemplars: { labels: Record<string, string> }[] }[]>(
      prometheusUrl,
      'api/v1/query_exemplars',
      {
        query: 'http_request_duration_seconds_bucket{job="task-api"}',
        start: String(end - 3600),
        end: String(end),
      },
    );
    const traceIds = new Set(
      exemplars.flatMap((series) => series.exemplars.map((e) => e.labels['trace_id'] ?? '')),
    );
    traceIds.delete('');
    assert.ok(traceIds.size > 0, 'no exemplar with a trace_id');
    const received = new Set(receiver.spans.map((span) => span.traceId));
    const linked = [...traceIds].filter((id) => received.has(id));
    assert.ok(linked.length > 0, `none of ${traceIds.size} exemplar trace ids reached the Tempo endpoint`);
    log(`exemplars: ${traceIds.size} trace ids, ${linked.length} of them received by the sink`);
  });
}
