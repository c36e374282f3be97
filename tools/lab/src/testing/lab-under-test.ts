import { freePort, eventually } from '@obslab/process';
import { type OtlpReceiver, startNodeService, startOtlpReceiver } from '@obslab/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A lab on loopback: the real task-api exporting to an OTLP receiver, a real Prometheus scraping it. */
export interface LabUnderTest {
  readonly appUrl: URL;
  readonly prometheusUrl: URL;
  readonly receiver: OtlpReceiver;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Starts task-api (SQLite in a temp dir) and Prometheus (Debian's) with `extraTargets` as more scrape
 * targets: `host:port` (job `extra-<i>`) or `job=host:port`.
 */
export async function startLabUnderTest(extraTargets: readonly string[] = []): Promise<LabUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'obslab-verify-'));
  const receiver = await startOtlpReceiver();
  const main = fileURLToPath(import.meta.resolve('@obslab/task-api'));
  const app = await startNodeService({
    script: main,
    readyPath: '/health/ready',
    env: {
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BLRP_SCHEDULE_DELAY: '200',
    },
  });
  const appPort = app.port;
  const appUrl = new URL(`http://127.0.0.1:${appPort}`);
  const promPort = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      `  - job_name: task-api\n    static_configs: [{ targets: ['127.0.0.1:${appPort}'] }]`,
      ...extraTargets.map((target, i) => {
        const [job, address] = target.includes('=') ? target.split('=') : [`extra-${i}`, target];
        return `  - job_name: ${job}\n    static_configs: [{ targets: ['${address}'] }]`;
      }),
      '',
    ].join('\n'),
  );
  const prometheus = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: 'ignore' },
  );
  const prometheusUrl = new URL(`http://127.0.0.1:${promPort}`);
  const stop = async () => {
    await Promise.all([app.stop(), stopChild(prometheus), receiver.close()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(
      async () => {
        if (!(await fetch(new URL('/-/ready', prometheusUrl))).ok) throw new Error('prometheus not ready');
      },
      { timeoutMs: 30_000, description: 'Prometheus ready' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { appUrl, prometheusUrl, receiver, stop };
}

/**
 * Stand-ins for the Tempo, Loki and Grafana HTTP APIs, which cannot run on this machine: they
 * answer the few endpoints `lab verify` reads from what the real task-api exported to the receiver,
 * and the Grafana one proxies `/api/datasources/proxy/uid/<uid>/` to them behind basic auth.
 */
export async function startBackendStandIns(
  receiver: OtlpReceiver,
  prometheusUrl: URL,
  password: string,
): Promise<{ grafanaUrl: URL; tempoUrl: URL; lokiUrl: URL; stop(): Promise<void> }> {
  const tempo = (path: string, response: ServerResponse) => {
    const traceId = /^\/api\/traces\/([0-9a-f]{32})$/.exec(path)?.[1];
    const spans = receiver.spans.filter((span) => span.traceId === traceId);
    if (!traceId || spans.length === 0) return send(response, 404, { error: 'trace not found' });
    const attributes = (record: Record<string, unknown>) =>
      Object.entries(record).map(([key, value]) => ({
        key,
        value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: String(value) },
      }));
    send(response, 200, {
      batches: [
        {
          scopeSpans: [
            {
              spans: spans.map((span) => ({
                name: span.name,
                kind: span.kind,
                attributes: attributes(span.attributes),
              })),
            },
          ],
        },
      ],
    });
  };
  const loki = (url: URL, response: ServerResponse) => {
    const traceId = /trace_id="([0-9a-f]{32})"/.exec(url.searchParams.get('query') ?? '')?.[1];
    const lines = receiver.logs.filter(
      (log) => log.traceId === traceId && log.resource['service.name'] === 'task-api',
    );
    send(response, 200, {
      status: 'success',
      data: {
        resultType: 'streams',
        result: lines.length
          ? [{ stream: { service_name: 'task-api' }, values: lines.map((log) => ['0', String(log.body)]) }]
          : [],
      },
    });
  };
  const tempoServer = await listen((request, response) =>
    tempo(new URL(request.url ?? '/', 'http://x').pathname, response),
  );
  const lokiServer = await listen((request, response) =>
    loki(new URL(request.url ?? '/', 'http://x'), response),
  );
  const grafanaServer = await listen((request, response) => {
    const expected = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
    if (request.headers.authorization !== expected)
      return send(response, 401, { message: 'invalid username or password' });
    const url = new URL(request.url ?? '/', 'http://x');
    const proxied = /^\/api\/datasources\/proxy\/uid\/(\w+)(\/.*)$/.exec(url.pathname);
    if (proxied) {
      const [, uid, rest] = proxied;
      if (uid === 'tempo') return tempo(rest!, response);
      if (uid === 'loki') return loki(new URL(`${rest}${url.search}`, 'http://x'), response);
      if (uid === 'prometheus') {
        void fetch(new URL(`${rest!.slice(1)}${url.search}`, prometheusUrl)).then(async (upstream) =>
          send(response, upstream.status, await upstream.json()),
        );
        return;
      }
    }
    if (url.pathname === '/api/health') return send(response, 200, { database: 'ok' });
    if (/^\/api\/datasources\/uid\/(prometheus|tempo|loki)$/.test(url.pathname))
      return send(response, 200, { uid: url.pathname.split('/').pop() });
    if (/^\/api\/dashboards\/uid\/obslab-(slo|tracing)$/.test(url.pathname))
      return send(response, 200, { dashboard: {} });
    send(response, 404, { message: 'not found' });
  });
  const urlOf = (server: Server) => new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    grafanaUrl: urlOf(grafanaServer),
    tempoUrl: urlOf(tempoServer),
    lokiUrl: urlOf(lokiServer),
    stop: async () => {
      for (const server of [tempoServer, lokiServer, grafanaServer]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
