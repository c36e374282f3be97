import {
  DATASOURCES,
  type DatasourceName,
  SLO_DASHBOARD_UID,
  TRACING_DASHBOARD_UID,
} from '@obslab/dashboards';

/** Where each backend of a deployed lab answers, and how to authenticate. */
export interface LabEndpoints {
  /** The frontend (nginx) or, without it, the task service itself. */
  readonly app: URL;
  readonly grafana?: GrafanaAccess;
  /** Direct URLs win over Grafana's datasource proxy (for setups that publish them). */
  readonly prometheus?: URL;
  readonly tempo?: URL;
  readonly loki?: URL;
}

export interface GrafanaAccess {
  readonly url: URL;
  readonly user: string;
  readonly password: string;
}

/** The backends Grafana has a datasource for, with the fixed uids @obslab/dashboards provisions. */
export type Backend = DatasourceName;
export const DATASOURCE_UIDS: readonly string[] = Object.values(DATASOURCES).map(
  (datasource) => datasource.uid,
);
/** The dashboards @obslab/dashboards provisions. */
export const DASHBOARD_UIDS: readonly string[] = [SLO_DASHBOARD_UID, TRACING_DASHBOARD_UID];

/** A GET/POST against a backend: directly when its URL is known, else through Grafana's datasource proxy. */
export interface BackendClient {
  readonly describe: string;
  get(path: string, query?: Record<string, string>): Promise<Response>;
}

export function backendClient(
  endpoints: LabEndpoints,
  backend: Backend,
  timeoutMs: number,
): BackendClient | undefined {
  const direct = endpoints[backend];
  if (direct) {
    return {
      describe: `${backend} at ${direct.origin}`,
      get: (path, query) =>
        fetch(withQuery(new URL(path.replace(/^\//, ''), withSlash(direct)), query), {
          signal: AbortSignal.timeout(timeoutMs),
        }),
    };
  }
  const grafana = endpoints.grafana;
  if (!grafana) return undefined;
  const base = new URL(`api/datasources/proxy/uid/${DATASOURCES[backend].uid}/`, withSlash(grafana.url));
  return {
    describe: `${backend} through Grafana's datasource proxy at ${grafana.url.origin}`,
    get: (path, query) =>
      fetch(withQuery(new URL(path.replace(/^\//, ''), base), query), {
        headers: { authorization: basicAuth(grafana) },
        signal: AbortSignal.timeout(timeoutMs),
      }),
  };
}

export function grafanaGet(grafana: GrafanaAccess, path: string, timeoutMs: number): Promise<Response> {
  return fetch(new URL(path.replace(/^\//, ''), withSlash(grafana.url)), {
    headers: { authorization: basicAuth(grafana) },
    signal: AbortSignal.timeout(timeoutMs),
  });
}

function basicAuth(grafana: GrafanaAccess): string {
  return `Basic ${Buffer.from(`${grafana.user}:${grafana.password}`).toString('base64')}`;
}

function withSlash(url: URL): URL {
  return url.pathname.endsWith('/') ? url : new URL(`${url.href}/`);
}

function withQuery(url: URL, query: Record<string, string> | undefined): URL {
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
  return url;
}
