import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startTestApp, type TestApp } from '../testing/test-app.js';

/** Parses the classic text exposition into samples. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
      assert.ok(match, `parsable sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

describe('metrics contract', () => {
  let app: TestApp;
  let text: string;

  before(async () => {
    app = await startTestApp();
    const created = await call(app.baseUrl, 'POST', '/api/tasks', { title: 'measured' });
    await call(app.baseUrl, 'GET', `/api/tasks/${created.body.id}`);
    await call(app.baseUrl, 'GET', '/api/tasks/424242');
    await call(app.baseUrl, 'POST', '/api/tasks', '{broken');
    await call(app.baseUrl, 'GET', '/api/simulate-error');
    for (let i = 0; i < 40; i++) await call(app.baseUrl, 'GET', `/random/${i}/path-${Math.random()}`);
    const response = await fetch(`${app.baseUrl}/metrics`);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    text = await response.text();
  });
  after(async () => {
    await app?.close();
  });

  it('counts requests by method, route template and status code', () => {
    const requests = samples(text).filter((s) => s.name === 'http_requests_total');
    const find = (method: string, endpoint: string, status: string) =>
      requests.find(
        (s) =>
          s.labels['method'] === method &&
          s.labels['endpoint'] === endpoint &&
          s.labels['status_code'] === status,
      )?.value;
    assert.equal(find('POST', '/api/tasks', '201'), 1);
    assert.equal(find('GET', '/api/tasks/:id', '200'), 1);
    assert.equal(find('GET', '/api/tasks/:id', '404'), 1);
    assert.equal(find('POST', '/api/tasks', '400'), 1, 'a malformed body keeps its route label');
    assert.equal(find('GET', '/api/simulate-error', '500'), 1);
    for (const sample of requests)
      assert.deepEqual(Object.keys(sample.labels).sort(), ['endpoint', 'method', 'status_code']);
  });

  it('keeps the endpoint label bounded: every unmatched path shares one value', () => {
    const endpoints = new Set(
      samples(text)
        .filter((s) => s.name === 'http_requests_total')
        .map((s) => s.labels['endpoint']),
    );
    assert.ok(endpoints.has('unmatched'));
    assert.equal([...endpoints].filter((endpoint) => endpoint?.startsWith('/random')).length, 0);
    const unmatched = samples(text).find(
      (s) => s.name === 'http_requests_total' && s.labels['endpoint'] === 'unmatched',
    );
    assert.equal(unmatched?.value, 40);
  });

  it('counts errors only for status codes of 400 and above', () => {
    const errors = samples(text).filter((s) => s.name === 'http_errors_total');
    assert.ok(errors.length > 0);
    for (const sample of errors)
      assert.ok(Number(sample.labels['status_code']) >= 400, JSON.stringify(sample));
    assert.equal(errors.find((s) => s.labels['endpoint'] === '/api/simulate-error')?.value, 1);
  });

  it('exposes the request duration histogram with the SLO bucket at 300 ms', () => {
    const buckets = samples(text).filter(
      (s) =>
        s.name === 'http_request_duration_seconds_bucket' &&
        s.labels['endpoint'] === '/api/tasks' &&
        s.labels['method'] === 'POST' &&
        s.labels['status_code'] === '201',
    );
    assert.ok(buckets.some((s) => s.labels['le'] === '0.3'));
    assert.equal(buckets.find((s) => s.labels['le'] === '+Inf')?.value, 1);
  });

  it('times SQL statements by operation with buckets from 2 ms to 2 s', () => {
    const db = samples(text).filter((s) => s.name === 'db_query_duration_seconds_bucket');
    const operations = new Set(db.map((s) => s.labels['operation']));
    for (const operation of ['SELECT', 'INSERT']) assert.ok(operations.has(operation), operation);
    for (const operation of operations)
      assert.ok(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'OTHER'].includes(operation!), operation);
    const bounds = [...new Set(db.map((s) => s.labels['le']))];
    assert.equal(bounds[0], '0.002');
    assert.ok(bounds.includes('2'));
  });

  it('includes the default process and Node.js metrics', () => {
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      assert.ok(
        samples(text).some((s) => s.name === name),
        name,
      );
    }
  });

  it('serves OpenMetrics when the scraper asks for it', async () => {
    const response = await fetch(`${app.baseUrl}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' },
    });
    assert.match(
      response.headers.get('content-type') ?? '',
      /^application\/openmetrics-text; version=1\.0\.0/,
    );
    const body = await response.text();
    assert.match(body, /# EOF\n?$/);
    assert.match(body, /^# TYPE http_requests counter$/m);
  });
});
