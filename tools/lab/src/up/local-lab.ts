// The compose lab on this machine, as `lab up|down|status` drive it: which compose files, which
// env file, which project, and the `docker compose` calls on them (through run(), via step()).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KnownFailure, step } from '../deploy/step.runner.js';
import type { ComposeTool } from './compose.tool.js';

/** Where the lab's files are and how compose is called on them. */
export interface LocalLabOptions {
  /** The repository root (compose/compose.yaml, compose/.env.example, compose/config). */
  readonly workspace: string;
  /** More compose files after compose/compose.yaml (overrides), in order. */
  readonly file: readonly string[];
  /** Compose project name (default: the compose file's own, `obslab`). */
  readonly project?: string;
  /** Default: compose/.env in the workspace. */
  readonly envFile?: string;
  /** The docker CLI. */
  readonly docker: string;
}

/** The two published services and their container ports (compose/README.md). */
export const PUBLISHED = {
  ui: { service: 'frontend', port: 8080 },
  grafana: { service: 'grafana', port: 3000 },
} as const;

export const defaultWorkspace = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export const composeFileOf = (options: LocalLabOptions) => join(options.workspace, 'compose', 'compose.yaml');
export const envFileOf = (options: LocalLabOptions) =>
  resolve(options.envFile ?? join(options.workspace, 'compose', '.env'));
export const envExampleOf = (options: LocalLabOptions) => join(options.workspace, 'compose', '.env.example');

/** `compose -p … -f compose.yaml -f <override>… --env-file …`: the arguments every call starts with. */
export function composeArgs(options: LocalLabOptions): string[] {
  const envFile = envFileOf(options);
  return [
    'compose',
    ...(options.project ? ['--project-name', options.project] : []),
    '--file',
    composeFileOf(options),
    ...options.file.flatMap((file) => ['--file', resolve(file)]),
    ...(existsSync(envFile) ? ['--env-file', envFile] : []),
  ];
}

/** Runs `docker compose … <args>` as a named step. */
export function compose(
  tool: ComposeTool,
  options: LocalLabOptions,
  what: string,
  args: readonly string[],
  timeoutMs = 120_000,
  failures: readonly KnownFailure[] = composeFailures,
) {
  // compose.yaml refuses to load without GRAFANA_ADMIN_PASSWORD; `down` and `ps` do not need the real one.
  const env = existsSync(envFileOf(options))
    ? tool.env
    : { GRAFANA_ADMIN_PASSWORD: 'unused-without-env-file', ...tool.env };
  return step(what, tool.docker, [...composeArgs(options), ...args], {
    env,
    timeoutMs,
    cwd: options.workspace,
    failures,
  });
}

/** What compose says when the lab cannot start, and what to do about it. */
export const composeFailures: readonly KnownFailure[] = [
  {
    pattern: /port is already allocated|address already in use/i,
    hint: 'another program uses a published port: stop it, or set FRONTEND_PORT / GRAFANA_PORT in compose/.env',
  },
  {
    pattern:
      /pull access denied|failed to resolve|dial tcp .*(registry|docker\.io)|TLS handshake timeout|i\/o timeout/i,
    hint: 'the images could not be pulled: check the network or a registry mirror, then run lab up again (it resumes)',
  },
  {
    pattern: /is unhealthy|dependency failed to start|did not complete successfully/i,
    hint: 'a service did not become healthy: npx lab status, then docker compose -f compose/compose.yaml logs <service>',
  },
  {
    pattern: /GRAFANA_ADMIN_PASSWORD/,
    hint: 'compose/.env needs GRAFANA_ADMIN_PASSWORD: delete the file and lab up makes a new one',
  },
];

/** `http://host:port` where a published service answers, from `docker compose port`. */
export async function publishedUrl(
  tool: ComposeTool,
  options: LocalLabOptions,
  which: keyof typeof PUBLISHED,
): Promise<URL | undefined> {
  const { service, port } = PUBLISHED[which];
  try {
    const { stdout } = await compose(tool, options, `finding the ${service} port`, [
      'port',
      service,
      String(port),
    ]);
    const match = /^(.*):(\d+)$/.exec(stdout.trim().split('\n')[0] ?? '');
    if (!match) return undefined;
    const host =
      match[1] === '0.0.0.0' || match[1] === '' ? '127.0.0.1' : match[1] === '[::]' ? 'localhost' : match[1];
    return new URL(`http://${host}:${match[2]}`);
  } catch {
    return undefined;
  }
}

/** The provisioned dashboards (compose/config/grafana/dashboards/*.json): uid and title. */
export function dashboards(options: LocalLabOptions): { uid: string; title: string }[] {
  const dir = join(options.workspace, 'compose', 'config', 'grafana', 'dashboards');
  let files: string[];
  try {
    files = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return files.sort().flatMap((name) => {
    try {
      const { uid, title } = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
        uid?: string;
        title?: string;
      };
      return uid ? [{ uid, title: title ?? uid }] : [];
    } catch {
      return [];
    }
  });
}

/** One `docker compose ps --format json` row. */
export interface ServiceState {
  readonly Service: string;
  readonly State: string;
  readonly Health?: string;
  readonly Status?: string;
}

/** Parses `ps --format json`: one object per line (Compose ≥ 2.21) or one array (before). */
export function parseServiceStates(stdout: string): ServiceState[] {
  const text = stdout.trim();
  if (!text) return [];
  if (text.startsWith('[')) return JSON.parse(text) as ServiceState[];
  return text.split('\n').map((line) => JSON.parse(line) as ServiceState);
}
