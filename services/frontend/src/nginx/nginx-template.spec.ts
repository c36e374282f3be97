import { eventually } from '@obslab/process';
import { type OtlpReceiver, startOtlpReceiver } from '@obslab/testing';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type NginxServer, startNginxInFront, testNginxConfig } from '../testing/nginx.harness.js';
import { requestLines, startTaskApi, type TaskApiProcess } from '../testing/task-api.process.js';
import {
  NGINX_TEMPLATE_DEFAULTS,
  readNginxTemplate,
  renderNginxTemplate,
  unresolvedVariables,
} from './nginx-template.renderer.js';

const template = readNginxTemplate();

const dockerEnv = {
  ...NGINX_TEMPLATE_DEFAULTS,
  TASK_API_URL: 'http://task-api:3000',
  OTEL_COLLECTOR_URL: 'http://otel-collector:4318',
  GRAFANA_URL: 'http://localhost:3001',
};

function newTraceparent(): { traceparent: string; traceId: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, traceId };
}

describe('the nginx template', () => {
  it('substitutes its own variables and leaves nginx variables alone', () => {
    const rendered = renderNginxTemplate(template, { ...dockerEnv, HOSTNAME: 'should-not-appear' });
    assert.deepEqual(unresolvedVariables(rendered), []);
    assert.match(rendered, /listen 8080;/);
    assert.match(rendered, /resolver 127\.0\.0\.11 valid=5s ipv6=off;/);
    assert.match(rendered, /set \$obslab_task_api http:\/\/task-api:3000;/);
    assert.match(rendered, /"grafanaUrl":"http:\/\/localhost:3001"/);
    assert.match(rendered, /\$http_traceparent/);
    assert.match(rendered, /\$request_uri/);
    assert.doesNotMatch(rendered, /should-not-appear/);
  });

  it('leaves an undefined variable in place, as the image entrypoint does', () => {
    const rendered = renderNginxTemplate(template, { NGINX_PORT: '8080' });
    assert.deepEqual(unresolvedVariables(rendered), [
      'NGINX_RESOLVER',
      'TASK_API_URL',
      'OTEL_COLLECTOR_URL',
      'GRAFANA_URL',
    ]);
  });

  it('has only variable proxy_pass directives, so restarted backends are found again without a reload', () => {
    const proxyPasses = template.split('\n').filter((line) => /^\s*proxy_pass\s/.test(line));
    assert.equal(proxyPasses.length, 2);
    for (const line of proxyPasses) assert.match(line, /^\s*proxy_pass \$obslab_\w+/, line);
  });

  it('is accepted by nginx -t with Docker values', async () => {
    await testNginxConfig(renderNginxTemplate(template, dockerEnv));
  });

  // nginx resolves a resolver given by name once, at start: in a pod that works (the name is in
  // the cluster DNS); here the cluster DNS's usual ClusterIP stands in for it.
  it('is accepted by nginx -t with Kubernetes values', async () => {
    await testNginxConfig(
      renderNginxTemplate(template, {
        ...dockerEnv,
        NGINX_RESOLVER: '10.96.0.10',
        TASK_API_URL: 'http://task-api.obslab.svc.cluster.local:3000',
        OTEL_COLLECTOR_URL: 'http://otel-collector.obslab.svc.cluster.local:4318',
        GRAFANA_URL: '',
      }),
    );
  });
});

describe('nginx in front of task-api and a collector', () => {
  let receiver: OtlpReceiver;
  let api: TaskApiProcess;
  let nginx: NginxServer;

  before(async () => {
    receiver = await startOtlpReceiver();
    api = await startTaskApi();
    nginx = await startNginxInFront(api.baseUrl, receiver.endpoint);
  });

  after(async () => {
    await nginx?.stop();
    await api?.stop();
    await receiver?.close();
  });

  it('serves the page uncached and its hashed assets cached for a year', async () => {
    const page = await fetch(`${nginx.baseUrl}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const html = await page.text();
    const script = /src="(\/assets\/index-[\w-]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'index.html references a hashed script under /assets/');
    const asset = await fetch(`${nginx.baseUrl}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    // fetch decodes gzip itself: ask for the raw encoding with a plain request to see it.
    const raw = await import('node:http').then(
      (http) =>
        new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
          http
            .get(`${nginx.baseUrl}${script}`, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
              const chunks: Buffer[] = [];
              response.on('data', (chunk: Buffer) => chunks.push(chunk));
              response.on('end', () =>
                resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }),
              );
            })
            .on('error', reject);
        }),
    );
    assert.equal(raw.encoding, 'gzip');
    assert.match(gunzipSync(raw.body).toString('utf8'), /otlpTracesPath|traceparent|task/);
  });

  it('falls back to the page for client paths but not for missing assets', async () => {
    assert.equal((await fetch(`${nginx.baseUrl}/some/client/path`)).status, 200);
    assert.equal((await fetch(`${nginx.baseUrl}/assets/missing-0000.js`)).status, 404);
  });

  it('serves /config.json rendered from the environment', async () => {
    const response = await fetch(`${nginx.baseUrl}/config.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await response.json(), {
      otlpTracesPath: '/otlp/v1/traces',
      grafanaUrl: 'http://grafana.example.test:3001',
    });
  });

  it('sends the security headers on pages, API answers and errors alike', async () => {
    for (const path of ['/', '/api/tasks', '/api/tasks/999999', '/config.json']) {
      const response = await fetch(`${nginx.baseUrl}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /connect-src 'self'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(response.headers.get('referrer-policy'), 'strict-origin-when-cross-origin', path);
      assert.match(response.headers.get('permissions-policy') ?? '', /camera=\(\)/, path);
      assert.equal(response.headers.get('server'), 'nginx', `${path}: no version in Server`);
    }
  });

  it('proxies /api/ to task-api with the traceparent, and logs the trace id as JSON', async () => {
    const { traceparent, traceId } = newTraceparent();
    const response = await fetch(`${nginx.baseUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent },
      body: JSON.stringify({ title: 'through nginx' }),
    });
    assert.equal(response.status, 201);
    assert.equal(((await response.json()) as { title: string }).title, 'through nginx');
    const apiLine = await eventually(() => {
      const line = requestLines(api.logs()).find((entry) => entry['trace_id'] === traceId);
      assert.ok(line, `task-api logged a request with trace_id ${traceId}`);
      return line;
    });
    assert.equal(apiLine['route'], '/api/tasks');
    const nginxLine = await eventually(() => {
      const line = nginx.accessLog().find((entry) => entry['trace_id'] === traceId);
      assert.ok(
        line,
        `nginx logged a JSON line with trace_id ${traceId}; log: ${JSON.stringify(nginx.accessLog())}`,
      );
      return line;
    });
    assert.equal(nginxLine['traceparent'], traceparent);
    assert.equal(nginxLine['method'], 'POST');
    assert.equal(nginxLine['uri'], '/api/tasks');
    assert.equal(nginxLine['status'], 201);
    assert.equal(nginxLine['upstream_addr'], api.baseUrl.replace('http://', ''));
  });

  it('refuses request bodies over 64 KiB with 413 before they reach the API', async () => {
    const response = await fetch(`${nginx.baseUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'big', description: 'x'.repeat(70 * 1024) }),
    });
    assert.equal(response.status, 413);
    const accepted = await fetch(`${nginx.baseUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'under the limit', description: 'x'.repeat(9_000) }),
    });
    assert.equal(accepted.status, 201);
  });

  it("forwards POST /otlp/v1/traces to the collector's /v1/traces and nothing else under /otlp", async () => {
    const { traceId } = newTraceparent();
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'frontend' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId: randomBytes(8).toString('hex'),
                  name: 'task.create',
                  kind: 1,
                  startTimeUnixNano: String(Date.now() * 1e6),
                  endTimeUnixNano: String(Date.now() * 1e6 + 1e6),
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await fetch(`${nginx.baseUrl}/otlp/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200);
    const span = receiver.spans.find((received) => received.traceId === traceId);
    assert.ok(span, 'the receiver got the span');
    assert.equal(span.name, 'task.create');
    assert.equal(span.resource['service.name'], 'frontend');

    assert.equal((await fetch(`${nginx.baseUrl}/otlp/v1/traces`)).status, 405);
    const logs = await fetch(`${nginx.baseUrl}/otlp/v1/logs`, { method: 'POST', body: '{}' });
    assert.equal(logs.status, 404);
    assert.equal(receiver.raw.length + receiver.logs.length, 0, 'nothing but traces reached the collector');
  });

  it('answers /healthz for container health checks without logging it', async () => {
    const before = nginx.accessLog().length;
    const response = await fetch(`${nginx.baseUrl}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok\n');
    await fetch(`${nginx.baseUrl}/config.json`);
    await eventually(() => assert.ok(nginx.accessLog().length > before));
    assert.ok(!nginx.accessLog().some((line) => line['uri'] === '/healthz'));
  });
});
