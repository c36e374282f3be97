import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';

/** Log levels accepted by LOG_LEVEL (pino's names). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
const EXPORTERS = ['otlp', 'console', 'none'] as const;
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
const SQLITE_SYNCHRONOUS = ['NORMAL', 'FULL', 'EXTRA'] as const;

export type ExporterName = (typeof EXPORTERS)[number];

/** The database the service talks to: embedded SQLite under DATA_DIR, or PostgreSQL at DATABASE_URL. */
export type DatabaseConfig =
  | {
      readonly kind: 'sqlite';
      readonly file: string;
      readonly synchronous: (typeof SQLITE_SYNCHRONOUS)[number];
    }
  | { readonly kind: 'postgres'; readonly url: string };

/** Which OpenTelemetry signals leave the process. Everything else in OTEL_* is read by the SDK itself. */
export interface TelemetryConfig {
  readonly disabled: boolean;
  readonly serviceName: string;
  readonly exportTraces: boolean;
  readonly exportLogs: boolean;
}

/** The task manager UI served at `/` (UI_DIR), and what its `/config.json` tells the page. */
export interface UiConfig {
  /** Absolute path of the built frontend (services/frontend/dist/public), holding index.html. */
  readonly dir: string;
  /** Grafana link of the page; null lets the page use its host on port 3001. */
  readonly grafanaUrl: string | null;
}

/** The service's whole configuration, validated once at start; nothing else reads process.env. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  readonly telemetry: TelemetryConfig;
  /** null when UI_DIR is unset: the service serves only its API. */
  readonly ui: UiConfig | null;
}

const csvOf = <T extends string>(allowed: readonly T[]) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .refine((items) => items.every((item) => (allowed as readonly string[]).includes(item)), {
      message: `must be a comma-separated list of ${allowed.join(', ')}`,
    });

const optionalUrl = (protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
    )
    .optional();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  DATABASE_URL_FILE: z.string().trim().min(1).optional(),
  SQLITE_SYNCHRONOUS: z.enum(SQLITE_SYNCHRONOUS).default('NORMAL'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  UI_DIR: z.string().trim().min(1).optional(),
  GRAFANA_URL: optionalUrl(['http:', 'https:']),
  OTEL_SDK_DISABLED: z.enum(['true', 'false', '']).optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: z
    .string()
    .refine(
      (value) => value.split(',').every((pair) => pair.trim() === '' || /^[^=\s]+=.*$/.test(pair.trim())),
      {
        message: 'must be key=value pairs separated by commas',
      },
    )
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl(['http:', 'https:']),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl(['http:', 'https:']),
  OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: optionalUrl(['http:', 'https:']),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(OTLP_PROTOCOLS).optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(OTLP_PROTOCOLS).optional(),
  OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: z.enum(OTLP_PROTOCOLS).optional(),
  OTEL_TRACES_EXPORTER: csvOf(EXPORTERS).optional(),
  OTEL_LOGS_EXPORTER: csvOf(EXPORTERS).optional(),
  OTEL_METRICS_EXPORTER: z
    .string()
    .refine((value) => value.trim() === '' || value.trim() === 'none', {
      message: 'must be none: metrics are served by prom-client at /metrics, not pushed over OTLP',
    })
    .optional(),
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS).optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
});

/** Thrown by {@link loadConfig} with one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Signals are exported when their exporter is named explicitly, or when it is left at the default
 * (otlp) and an endpoint is configured: without an endpoint the service makes no network attempts.
 */
function exports(exporters: readonly string[] | undefined, endpoint: string | undefined): boolean {
  if (exporters === undefined || exporters.length === 0) return endpoint !== undefined;
  return !exporters.includes('none');
}

/** Validates the environment once and returns the typed configuration, or throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(withFileSecrets(env, cwd));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const value = env[name];
      return `${name}=${JSON.stringify(value ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const ui = e.UI_DIR === undefined ? null : uiConfig(e.UI_DIR, e.GRAFANA_URL ?? null, cwd);
  const dataDir = isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR);
  const database: DatabaseConfig = e.DATABASE_URL
    ? { kind: 'postgres', url: e.DATABASE_URL }
    : { kind: 'sqlite', file: resolve(dataDir, 'tasks.db'), synchronous: e.SQLITE_SYNCHRONOUS };
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    telemetry: {
      disabled: e.OTEL_SDK_DISABLED === 'true',
      serviceName: e.OTEL_SERVICE_NAME ?? 'task-api',
      exportTraces: exports(
        e.OTEL_TRACES_EXPORTER,
        e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT,
      ),
      exportLogs: exports(
        e.OTEL_LOGS_EXPORTER,
        e.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT,
      ),
    },
    ui,
  };
}

/**
 * DATABASE_URL_FILE names a file holding DATABASE_URL (a mounted Secret), so that the password is
 * not in the environment. Setting both is an error; an unreadable file names itself.
 */
function withFileSecrets(env: NodeJS.ProcessEnv, cwd: string): NodeJS.ProcessEnv {
  const file = env['DATABASE_URL_FILE']?.trim();
  if (!file) return env;
  if (env['DATABASE_URL'])
    throw new ConfigError(['DATABASE_URL_FILE: set either DATABASE_URL or DATABASE_URL_FILE, not both']);
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  let url: string;
  try {
    url = readFileSync(path, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([
      `DATABASE_URL_FILE=${JSON.stringify(file)}: cannot read ${path} (${code}); mount the Secret there or fix the path`,
    ]);
  }
  // The URL's problems are reported under DATABASE_URL_FILE without echoing the secret.
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new ConfigError([
      `DATABASE_URL_FILE=${JSON.stringify(file)}: the file must hold a postgres:// or postgresql:// URL`,
    ]);
  return { ...env, DATABASE_URL: url };
}

/** UI_DIR must hold a built frontend: a missing or empty directory stops the start with what to do. */
function uiConfig(value: string, grafanaUrl: string | null, cwd: string): UiConfig {
  const dir = isAbsolute(value) ? value : resolve(cwd, value);
  const index = join(dir, 'index.html');
  if (!existsSync(index) || !statSync(index).isFile()) {
    const what = existsSync(dir) ? `${dir} has no index.html` : `${dir} does not exist`;
    throw new ConfigError([
      `UI_DIR=${JSON.stringify(value)}: ${what}; build the frontend first (npx nx run frontend:build) or unset UI_DIR`,
    ]);
  }
  return { dir, grafanaUrl };
}

/** A DATABASE_URL safe to log: the password replaced. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
