// The lab's components and connections, defined once. Platform-neutral: what every rendering
// (compose/, charts-ts, the operator) needs to know, and nothing that only one of them needs.
// Images are pinned by labStack() (compose/config/versions.json, the app version).
import {
  type ComponentDefinition,
  type ComponentName,
  type Connection,
  type EndpointValue,
  type EnvValue,
  type HealthEndpoint,
} from './component.types.js';

const literal = (value: string): EnvValue => ({ kind: 'literal', value });
const setting = (variable: string, defaultValue: string): EnvValue => ({
  kind: 'setting',
  variable,
  default: defaultValue,
});
const secret = (variable: string, hint: string): EnvValue => ({ kind: 'secret', variable, hint });
const port = (name: string): EnvValue => ({ kind: 'port', port: name });
const platform = (fact: 'dns-resolver'): EnvValue => ({ kind: 'platform', fact });
const endpoint = (
  to: ComponentName,
  portName: string,
  format: Pick<EndpointValue, 'scheme' | 'path'> = {},
): EnvValue => ({ kind: 'endpoint', to, port: portName, ...format });
const http = (portName: string, path: string): HealthEndpoint => ({ kind: 'http', port: portName, path });

/** Flags Prometheus must get so that it reads the mounted configuration and writes to its volume. */
export const requiredPrometheusFlags = [
  '--config.file=/etc/prometheus/prometheus.yml',
  '--storage.tsdb.path=/prometheus',
];
/** Prometheus's flags when there is no flags file. */
export const defaultPrometheusFlags = [
  ...requiredPrometheusFlags,
  '--storage.tsdb.retention.time=${PROMETHEUS_RETENTION:-15d}',
];

/** Every component of the lab. */
export const labComponents = [
  {
    name: 'frontend',
    description:
      'The task manager UI: static files and a same-origin proxy for /api and browser spans (nginx, unprivileged).',
    image: {
      kind: 'build',
      repository: 'obslab/frontend',
      context: '.',
      dockerfile: 'services/frontend/Dockerfile',
    },
    args: [],
    ports: [{ name: 'http', containerPort: 8080, userFacing: true }],
    env: {
      NGINX_PORT: port('http'),
      // The platform's DNS server; names are resolved per request so a restarted backend is found again.
      NGINX_RESOLVER: platform('dns-resolver'),
      TASK_API_URL: endpoint('task-api', 'http', { scheme: 'http' }),
      OTEL_COLLECTOR_URL: endpoint('otel-collector', 'otlp-http', { scheme: 'http' }),
      GRAFANA_URL: setting('GRAFANA_PUBLIC_URL', 'http://localhost:3000'),
    },
    config: [],
    volumes: [],
    scratch: ['/tmp', '/etc/nginx/conf.d'],
    health: http('http', '/healthz'),
    dependsOn: [{ component: 'task-api', reason: 'the UI is useless until the API answers' }],
    resources: { memoryMiB: 64, cpus: 0.5 },
    security: { user: '101:101', readOnlyRootFilesystem: true },
    optional: true,
    resolvesNamesItself: true,
  },
  {
    name: 'task-api',
    description: 'The tasks API (NestJS): SQLite on a named volume by default, PostgreSQL with the add-on.',
    image: {
      kind: 'build',
      repository: 'obslab/task-api',
      context: '.',
      dockerfile: 'services/task-api/Dockerfile',
    },
    args: [],
    ports: [{ name: 'http', containerPort: 3000, userFacing: false }],
    env: {
      PORT: port('http'),
      HOST: literal('0.0.0.0'),
      DATA_DIR: literal('/data'),
      LOG_LEVEL: setting('TASK_API_LOG_LEVEL', 'info'),
      OTEL_SERVICE_NAME: literal('task-api'),
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint('otel-collector', 'otlp-http', { scheme: 'http' }),
      OTEL_RESOURCE_ATTRIBUTES: setting('OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment.name=lab'),
      // What task-api is benchmarked with (services/task-api README).
      NODE_OPTIONS: literal('--max-semi-space-size=4 --max-old-space-size=128'),
    },
    config: [],
    volumes: [{ name: 'task-api-data', target: '/data' }],
    scratch: ['/tmp'],
    health: http('http', '/health/ready'),
    // Not the collector: the API must serve without telemetry; its OTLP exporter retries and drops.
    dependsOn: [{ component: 'postgres', reason: 'migrations run at start' }],
    resources: { memoryMiB: 320, cpus: 1 },
    security: { user: '10001:10001', readOnlyRootFilesystem: true },
  },
  {
    name: 'otel-collector',
    description: 'OpenTelemetry Collector: the single OTLP entry point; traces to Tempo, logs to Loki.',
    image: { kind: 'upstream' },
    args: ['--config=/etc/otelcol/config.yaml'],
    ports: [
      { name: 'otlp-grpc', containerPort: 4317, userFacing: false },
      { name: 'otlp-http', containerPort: 4318, userFacing: false },
      { name: 'metrics', containerPort: 8888, userFacing: false },
      { name: 'health', containerPort: 13133, userFacing: false },
    ],
    env: {
      DEPLOYMENT_ENVIRONMENT: setting('DEPLOYMENT_ENVIRONMENT', 'lab'),
      TEMPO_OTLP_ENDPOINT: endpoint('tempo', 'otlp-grpc'),
      LOKI_OTLP_ENDPOINT: endpoint('loki', 'http', { scheme: 'http', path: '/otlp' }),
    },
    config: [
      {
        source: 'compose/config/otel-collector/config.yaml',
        target: '/etc/otelcol/config.yaml',
        kind: 'file',
      },
    ],
    volumes: [],
    scratch: [],
    health: http('health', '/'),
    dependsOn: [],
    resources: { memoryMiB: 384, cpus: 0.5 },
    security: { user: '10001:10001', readOnlyRootFilesystem: true },
  },
  {
    name: 'tempo',
    description:
      'Grafana Tempo: trace storage; its metrics generator remote-writes service graphs and span metrics to Prometheus.',
    image: { kind: 'upstream' },
    // The config uses ${VAR:-default} for retention and endpoints: expand it.
    args: ['-config.file=/etc/tempo/tempo.yaml', '-config.expand-env=true'],
    ports: [
      { name: 'http', containerPort: 3200, userFacing: false },
      { name: 'otlp-grpc', containerPort: 4317, userFacing: false },
    ],
    env: {},
    config: [{ source: 'compose/config/tempo/tempo.yaml', target: '/etc/tempo/tempo.yaml', kind: 'file' }],
    volumes: [{ name: 'tempo-data', target: '/var/tempo' }],
    scratch: ['/tmp'],
    health: http('http', '/ready'),
    dependsOn: [],
    resources: { memoryMiB: 768, cpus: 1 },
    security: { user: '10001:10001', readOnlyRootFilesystem: true },
    optional: true,
  },
  {
    name: 'loki',
    description: 'Grafana Loki: log storage, fed over OTLP by the collector.',
    image: { kind: 'upstream' },
    args: ['-config.file=/etc/loki/loki.yaml', '-config.expand-env=true'],
    ports: [{ name: 'http', containerPort: 3100, userFacing: false }],
    env: {},
    config: [{ source: 'compose/config/loki/loki.yaml', target: '/etc/loki/loki.yaml', kind: 'file' }],
    volumes: [{ name: 'loki-data', target: '/loki' }],
    scratch: ['/tmp'],
    health: http('http', '/ready'),
    dependsOn: [],
    resources: { memoryMiB: 512, cpus: 1 },
    security: { user: '10001:10001', readOnlyRootFilesystem: true },
    optional: true,
  },
  {
    name: 'prometheus',
    description:
      'Prometheus: scrapes task-api and the stack, evaluates the SLO rules, receives Tempo remote writes.',
    image: { kind: 'upstream' },
    // Replaced by the flags file (LabStackProps.prometheusFlags) when there is one.
    args: defaultPrometheusFlags,
    ports: [{ name: 'http', containerPort: 9090, userFacing: false }],
    env: {},
    config: [
      {
        source: 'compose/config/prometheus/prometheus.yml',
        target: '/etc/prometheus/prometheus.yml',
        kind: 'file',
      },
      { source: 'compose/config/prometheus/rules', target: '/etc/prometheus/rules', kind: 'directory' },
    ],
    volumes: [{ name: 'prometheus-data', target: '/prometheus' }],
    scratch: [],
    health: http('http', '/-/ready'),
    dependsOn: [],
    resources: { memoryMiB: 768, cpus: 1 },
    security: { user: '65534:65534', readOnlyRootFilesystem: true },
    optional: true,
  },
  {
    name: 'grafana',
    description:
      'Grafana: provisioned datasources (fixed uids) and dashboards; login required, no anonymous access.',
    image: { kind: 'upstream' },
    args: [],
    ports: [{ name: 'http', containerPort: 3000, userFacing: true }],
    env: {
      GF_SECURITY_ADMIN_USER: setting('GRAFANA_ADMIN_USER', 'admin'),
      GF_SECURITY_ADMIN_PASSWORD: secret('GRAFANA_ADMIN_PASSWORD', 'set it in .env'),
      GF_AUTH_ANONYMOUS_ENABLED: literal('false'),
      GF_AUTH_DISABLE_LOGIN_FORM: literal('false'),
      GF_USERS_ALLOW_SIGN_UP: literal('false'),
      GF_ANALYTICS_REPORTING_ENABLED: literal('false'),
      GF_ANALYTICS_CHECK_FOR_UPDATES: literal('false'),
      GF_PATHS_PROVISIONING: literal('/etc/grafana/provisioning'),
      GF_SERVER_ROOT_URL: setting('GRAFANA_PUBLIC_URL', 'http://localhost:3000'),
    },
    config: [
      {
        source: 'compose/config/grafana/provisioning',
        target: '/etc/grafana/provisioning',
        kind: 'directory',
      },
      {
        source: 'compose/config/grafana/dashboards',
        target: '/var/lib/grafana/dashboards',
        kind: 'directory',
      },
    ],
    // Read-only root filesystem (as kube-prometheus runs it): the data volume holds the database,
    // plugins and sessions; /tmp and the log directory are scratch (the image logs to the console).
    volumes: [{ name: 'grafana-data', target: '/var/lib/grafana' }],
    scratch: ['/tmp', '/var/log/grafana'],
    health: http('http', '/api/health'),
    dependsOn: [
      { component: 'prometheus', reason: 'dashboards query it as soon as Grafana serves' },
      { component: 'loki', reason: 'the logs datasource' },
      { component: 'tempo', reason: 'the traces datasource' },
    ],
    resources: { memoryMiB: 512, cpus: 1 },
    // Grafana writes under its home at start (plugins, csv, pdf): not read-only.
    security: { user: '472:0', readOnlyRootFilesystem: true },
    optional: true,
  },
  {
    name: 'postgres',
    description: 'PostgreSQL for task-api (opt-in add-on; SQLite is the default).',
    image: { kind: 'upstream' },
    args: [],
    ports: [{ name: 'postgres', containerPort: 5432, userFacing: false }],
    env: {
      POSTGRES_USER: literal('obslab'),
      POSTGRES_DB: literal('obslab'),
      POSTGRES_PASSWORD: setting('POSTGRES_PASSWORD', ''),
    },
    config: [],
    volumes: [{ name: 'postgres-data', target: '/var/lib/postgresql' }],
    scratch: ['/tmp', '/var/run/postgresql'],
    health: { kind: 'command', command: ['pg_isready', '-h', '127.0.0.1', '-U', 'obslab', '-d', 'obslab'] },
    dependsOn: [],
    resources: { memoryMiB: 384, cpus: 1 },
    security: { user: '999:999', readOnlyRootFilesystem: true },
    database: 'postgres',
  },
] as const satisfies readonly ComponentDefinition[];

/** Exactly the connections the lab needs; everything else is denied. */
export const labConnections: readonly Connection[] = [
  { from: 'frontend', to: 'task-api', port: 'http', why: 'nginx proxies /api' },
  { from: 'frontend', to: 'otel-collector', port: 'otlp-http', why: 'nginx proxies browser spans (/otlp)' },
  { from: 'task-api', to: 'otel-collector', port: 'otlp-http', why: 'OTLP traces and logs' },
  { from: 'otel-collector', to: 'tempo', port: 'otlp-grpc', why: 'traces over OTLP/gRPC' },
  { from: 'otel-collector', to: 'loki', port: 'http', why: 'logs over OTLP/HTTP' },
  { from: 'tempo', to: 'prometheus', port: 'http', why: 'metrics-generator remote write' },
  { from: 'prometheus', to: 'task-api', port: 'http', why: 'scrape /metrics', scrape: true },
  { from: 'prometheus', to: 'otel-collector', port: 'metrics', why: 'scrape the collector', scrape: true },
  { from: 'prometheus', to: 'tempo', port: 'http', why: 'scrape Tempo', scrape: true },
  { from: 'prometheus', to: 'loki', port: 'http', why: 'scrape Loki', scrape: true },
  { from: 'prometheus', to: 'grafana', port: 'http', why: 'scrape Grafana', scrape: true },
  { from: 'grafana', to: 'prometheus', port: 'http', why: 'metrics datasource' },
  { from: 'grafana', to: 'tempo', port: 'http', why: 'traces datasource' },
  { from: 'grafana', to: 'loki', port: 'http', why: 'logs datasource' },
  {
    from: 'task-api',
    to: 'postgres',
    port: 'postgres',
    why: 'the database',
    // The URL holds the password: a secret the user supplies, never written by the lab.
    env: {
      DATABASE_URL: secret('DATABASE_URL', 'set it in .env for the postgres add-on (see .env.example)'),
    },
  },
];

type Definition = (typeof labComponents)[number];
/** Components the lab runs without when they are turned off. */
export type OptionalComponent = Extract<Definition, { readonly optional: true }>['name'];
/** Components that keep state on a volume. */
export type StatefulComponent = Extract<
  Definition,
  { readonly volumes: readonly [unknown, ...unknown[]] }
>['name'];
/** Components whose image is an upstream image pinned in versions.json. */
export type UpstreamComponent = Extract<
  Definition,
  { readonly image: { readonly kind: 'upstream' } }
>['name'];

const defined: readonly ComponentDefinition[] = labComponents;
/** The components that may be turned off (a fact of each component: `optional`). */
export const optionalComponents = defined
  .filter((c) => c.optional)
  .map((c) => c.name) as readonly OptionalComponent[];
/** The components that keep state (a fact of each component: it has volumes). */
export const statefulComponents = defined
  .filter((c) => c.volumes.length > 0)
  .map((c) => c.name) as readonly StatefulComponent[];
/** The components whose images are pinned in versions.json (a fact of each: an upstream image). */
export const upstreamComponents = defined
  .filter((c) => c.image.kind === 'upstream')
  .map((c) => c.name) as readonly UpstreamComponent[];
