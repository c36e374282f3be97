import { eventually } from '@obslab/process';
import { randomBytes } from 'node:crypto';
import {
  type BackendClient,
  backendClient,
  DASHBOARD_UIDS,
  DATASOURCE_UIDS,
  grafanaGet,
  type LabEndpoints,
} from './lab-endpoints.js';
import { isClient, isServer, spansOfTempoTrace } from './trace-spans.js';

/** What the checks share: the endpoints, the trace the requests were sent in, and patience. */
export interface VerifyContext {
  readonly endpoints: LabEndpoints;
  readonly traceId: string;
  /** How long to wait for telemetry to arrive in a backend. */
  readonly waitMs: number;
  /** Per HTTP request. */
  readonly requestTimeoutMs: number;
  /** Components the lab runs without (`--without`): their scrape targets may be down. */
  readonly without: readonly string[];
  /** Set by the requests check. */
  createdTaskId?: number;
}

export interface CheckOutcome {
  readonly detail: string;
}

/** A failed check: what is missing and where to look. */
export class CheckFailure extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export interface Check {
  readonly name: CheckName;
  readonly title: string;
  /** Why the check cannot run with these endpoints, or undefined when it can. */
  unavailable(endpoints: LabEndpoints): string | undefined;
  run(context: VerifyContext): Promise<CheckOutcome>;
}

export const CHECK_NAMES = ['app', 'requests', 'traces', 'logs', 'metrics', 'targets', 'grafana'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

function traceparent(traceId: string): string {
  return `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
}

async function json(response: Response, what: string, hint: string): Promise<unknown> {
  if (!response.ok) throw new CheckFailure(`${what} answered HTTP ${response.status}`, hint);
  try {
    return await response.json();
  } catch {
    throw new CheckFailure(`${what} did not answer JSON`, hint);
  }
}

const needs = (backend: 'prometheus' | 'tempo' | 'loki') => (endpoints: LabEndpoints) =>
  endpoints[backend] || endpoints.grafana
    ? undefined
    : `no ${backend} URL and no Grafana: pass --grafana-url (and its password) or --${backend}-url`;

/** Polls until `probe` passes or the wait ends; a timeout keeps the last failure's message and hint. */
async function waitFor<T>(context: VerifyContext, probe: () => Promise<T>): Promise<T> {
  try {
    return await eventually(probe, { timeoutMs: context.waitMs, intervalMs: 1000 });
  } catch (error) {
    const last = (error as Error).cause;
    if (last instanceof CheckFailure)
      throw new CheckFailure(`${last.message} (after waiting ${context.waitMs / 1000} s)`, last.hint);
    throw error;
  }
}

function client(context: VerifyContext, backend: 'prometheus' | 'tempo' | 'loki'): BackendClient {
  const found = backendClient(context.endpoints, backend, context.requestTimeoutMs);
  if (!found) throw new CheckFailure(`no way to reach ${backend}`, needs(backend)(context.endpoints) ?? '');
  return found;
}

const app: Check = {
  name: 'app',
  title: 'the UI and the API answer through the frontend',
  unavailable: () => undefined,
  async run({ endpoints, requestTimeoutMs }) {
    const hint = `open ${endpoints.app.origin} in a browser; on the VM: docker compose -p lab ps, docker compose -p lab logs frontend task-api`;
    const page = await fetch(endpoints.app, { signal: AbortSignal.timeout(requestTimeoutMs) });
    const type = page.headers.get('content-type') ?? '';
    if (!page.ok || !type.includes('text/html'))
      throw new CheckFailure(
        `GET / answered ${page.status} ${type || 'without a content type'}, not the UI`,
        hint,
      );
    const list = (await json(
      await fetch(new URL('/api/tasks', endpoints.app), { signal: AbortSignal.timeout(requestTimeoutMs) }),
      'GET /api/tasks',
      hint,
    )) as { tasks?: unknown[] };
    if (!Array.isArray(list.tasks))
      throw new CheckFailure('GET /api/tasks did not return {tasks: [...]}', hint);
    return { detail: `UI served, ${list.tasks.length} task(s) listed` };
  },
};

const requests: Check = {
  name: 'requests',
  title: 'requests with a known trace id are served (create, read, delete a task)',
  unavailable: () => undefined,
  async run(context) {
    const { endpoints, traceId, requestTimeoutMs } = context;
    const hint = `docker compose -p lab logs task-api (search for trace_id ${traceId})`;
    const send = (method: string, path: string, body?: unknown) =>
      fetch(new URL(path, endpoints.app), {
        method,
        headers: {
          traceparent: traceparent(traceId),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    const created = await send('POST', '/api/tasks', {
      title: `lab verify ${traceId.slice(0, 8)}`,
      description: 'created by lab verify; deleted right after',
    });
    if (created.status !== 201) throw new CheckFailure(`POST /api/tasks answered ${created.status}`, hint);
    const task = (await created.json()) as { id: number };
    context.createdTaskId = task.id;
    const read = await send('GET', `/api/tasks/${task.id}`);
    if (read.status !== 200)
      throw new CheckFailure(`GET /api/tasks/${task.id} answered ${read.status}`, hint);
    const removed = await send('DELETE', `/api/tasks/${task.id}`);
    if (removed.status !== 200)
      throw new CheckFailure(`DELETE /api/tasks/${task.id} answered ${removed.status}`, hint);
    return { detail: `task ${task.id} created, read and deleted in trace ${traceId}` };
  },
};

const traces: Check = {
  name: 'traces',
  title: 'Tempo holds the trace with its HTTP and database spans',
  unavailable: needs('tempo'),
  async run(context) {
    const tempo = client(context, 'tempo');
    const hint = `the collector forwards traces to Tempo: docker compose -p lab logs otel-collector tempo; task-api needs OTEL_EXPORTER_OTLP_ENDPOINT (${tempo.describe})`;
    return waitFor(context, async () => {
      const response = await tempo.get(`api/traces/${context.traceId}`);
      if (response.status === 404) throw new CheckFailure(`trace ${context.traceId} is not in Tempo`, hint);
      const spans = spansOfTempoTrace(await json(response, 'Tempo', hint));
      const server = spans.filter(isServer).map((span) => span.name);
      const database = spans.filter(
        (span) => isClient(span) && span.attributes['db.system.name'] !== undefined,
      );
      if (!server.some((name) => name === 'POST /api/tasks'))
        throw new CheckFailure(
          `trace ${context.traceId} has no SERVER span "POST /api/tasks" (has: ${server.join(', ') || 'none'})`,
          hint,
        );
      if (database.length === 0)
        throw new CheckFailure(
          `trace ${context.traceId} has no database CLIENT span`,
          'task-api instruments SQL statements only inside requests: check its OTEL_* settings',
        );
      return {
        detail: `${spans.length} spans: ${server.length} HTTP server span(s), ${database.length} database span(s) (${[...new Set(database.map((s) => s.name))].join(', ')})`,
      };
    });
  },
};

const logs: Check = {
  name: 'logs',
  title: 'Loki holds log lines carrying the trace id',
  unavailable: needs('loki'),
  async run(context) {
    const loki = client(context, 'loki');
    const hint = `the collector forwards logs to Loki over OTLP: docker compose -p lab logs otel-collector loki (${loki.describe})`;
    return waitFor(context, async () => {
      const start = String((Date.now() - 3600_000) * 1e6);
      const query = `{service_name="task-api"} | trace_id="${context.traceId}"`;
      const body = (await json(
        await loki.get('loki/api/v1/query_range', { query, start, limit: '100' }),
        'Loki',
        hint,
      )) as {
        data?: { result?: { values?: unknown[] }[] };
      };
      const lines = (body.data?.result ?? []).reduce((sum, stream) => sum + (stream.values?.length ?? 0), 0);
      if (lines === 0)
        throw new CheckFailure(`Loki has no task-api log line with trace_id ${context.traceId}`, hint);
      return { detail: `${lines} log line(s) with trace_id ${context.traceId}` };
    });
  },
};

async function promQuery(
  prometheus: BackendClient,
  query: string,
  hint: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const body = (await json(await prometheus.get('api/v1/query', { query }), 'Prometheus', hint)) as {
    data?: { result?: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data?.result ?? [];
}

const metrics: Check = {
  name: 'metrics',
  title: 'Prometheus counted the requests',
  unavailable: needs('prometheus'),
  async run(context) {
    const prometheus = client(context, 'prometheus');
    const hint = `Prometheus scrapes task-api:3000/metrics: open its /targets page (${prometheus.describe})`;
    return waitFor(context, async () => {
      const result = await promQuery(
        prometheus,
        'sum(http_requests_total{method="POST",endpoint="/api/tasks",status_code="201"})',
        hint,
      );
      const count = Number(result[0]?.value[1] ?? 0);
      if (!(count > 0))
        throw new CheckFailure('Prometheus has no http_requests_total for POST /api/tasks 201 yet', hint);
      return { detail: `http_requests_total{POST /api/tasks, 201} = ${count}` };
    });
  },
};

const targets: Check = {
  name: 'targets',
  title: 'every Prometheus scrape target is up',
  unavailable: needs('prometheus'),
  async run(context) {
    const prometheus = client(context, 'prometheus');
    const hint = `open Prometheus's /targets page and the logs of the down services (${prometheus.describe})`;
    return waitFor(context, async () => {
      const body = (await json(
        await prometheus.get('api/v1/targets', { state: 'active' }),
        'Prometheus',
        hint,
      )) as {
        data?: { activeTargets?: { labels: Record<string, string>; health: string; lastError?: string }[] };
      };
      const all = body.data?.activeTargets ?? [];
      const active = all.filter((target) => !context.without.includes(target.labels['job'] ?? ''));
      const off = all.length - active.length;
      if (active.length === 0) throw new CheckFailure('Prometheus has no active scrape targets', hint);
      const down = active.filter((target) => target.health !== 'up');
      if (down.length > 0) {
        const list = down.map(
          (t) =>
            `${t.labels['job'] ?? '?'} (${t.labels['instance'] ?? '?'}): ${t.health}${t.lastError ? `, ${t.lastError}` : ''}`,
        );
        throw new CheckFailure(`${down.length} of ${active.length} targets not up: ${list.join('; ')}`, hint);
      }
      const jobs = [...new Set(active.map((t) => t.labels['job']))].join(', ');
      return {
        detail:
          `${active.length} targets up: ${jobs}` +
          (off > 0 ? `; ${off} target(s) of ${context.without.join(', ')} not checked (--without)` : ''),
      };
    });
  },
};

const grafana: Check = {
  name: 'grafana',
  title: 'Grafana serves the provisioned datasources and dashboards',
  unavailable: (endpoints) =>
    endpoints.grafana
      ? undefined
      : 'no Grafana: pass --grafana-url and its admin password (GRAFANA_ADMIN_PASSWORD)',
  async run({ endpoints, requestTimeoutMs }) {
    const access = endpoints.grafana!;
    const hint = `docker compose -p lab logs grafana; provisioning lives in compose/config/grafana (${access.url.origin})`;
    const health = await grafanaGet(access, 'api/health', requestTimeoutMs);
    if (!health.ok) throw new CheckFailure(`Grafana /api/health answered ${health.status}`, hint);
    const missing: string[] = [];
    for (const uid of DATASOURCE_UIDS) {
      const response = await grafanaGet(access, `api/datasources/uid/${uid}`, requestTimeoutMs);
      if (response.status === 401)
        throw new CheckFailure(
          'Grafana refused the credentials',
          'pass the admin password with GRAFANA_ADMIN_PASSWORD (the value in compose/.env)',
        );
      if (!response.ok) missing.push(`datasource ${uid}`);
    }
    for (const uid of DASHBOARD_UIDS) {
      if (!(await grafanaGet(access, `api/dashboards/uid/${uid}`, requestTimeoutMs)).ok)
        missing.push(`dashboard ${uid}`);
    }
    if (missing.length > 0) throw new CheckFailure(`missing in Grafana: ${missing.join(', ')}`, hint);
    return {
      detail: `datasources ${DATASOURCE_UIDS.join(', ')} and dashboards ${DASHBOARD_UIDS.join(', ')} present`,
    };
  },
};

/** Every check, in the order they run (requests before the backends that must see them). */
export const CHECKS: readonly Check[] = [app, requests, traces, logs, metrics, targets, grafana];
