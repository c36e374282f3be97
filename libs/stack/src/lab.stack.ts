import {
  type Component,
  type ComponentName,
  type EnvValue,
  type HealthEndpoint,
  type Stack,
} from './component.types.js';
import { type ImageVersions } from './image-versions.js';

/** Inputs of {@link labStack}. */
export interface LabStackProps {
  /** Pinned upstream images (compose/config/versions.json). */
  readonly versions: ImageVersions;
  /** Tag of the images built from this repository (task-api, frontend). Default: `0.1.0`. */
  readonly appVersion?: string;
  /**
   * Prometheus's flags (compose/config/prometheus/flags.txt, one per line). They must point
   * `--config.file` at the mounted configuration and `--storage.tsdb.path` at the data volume.
   * Default: those two and `--storage.tsdb.retention.time=${PROMETHEUS_RETENTION:-15d}`.
   */
  readonly prometheusFlags?: readonly string[];
}

const literal = (value: string): EnvValue => ({ kind: 'literal', value });
const setting = (variable: string, defaultValue: string): EnvValue => ({
  kind: 'setting',
  variable,
  default: defaultValue,
});
const secret = (variable: string, hint: string): EnvValue => ({ kind: 'secret', variable, hint });
const http = (port: number, path: string): HealthEndpoint => ({ kind: 'http', port, path });

/** Flags Prometheus must get so that it reads the mounted configuration and writes to its volume. */
const requiredPrometheusFlags = [
  '--config.file=/etc/prometheus/prometheus.yml',
  '--storage.tsdb.path=/prometheus',
];
const defaultPrometheusFlags = [
  ...requiredPrometheusFlags,
  '--storage.tsdb.retention.time=${PROMETHEUS_RETENTION:-15d}',
];

/** The lab's memory budget: every component's limit together, add-ons included. */
export const memoryBudgetMiB = 4096;

/**
 * The lab, defined once: every rendering (compose/compose.yaml today, Kubernetes manifests later)
 * is a function of this value.
 */
export function labStack(props: LabStackProps): Stack {
  const { versions } = props;
  const appVersion = props.appVersion ?? '0.1.0';
  const prometheusFlags = props.prometheusFlags ?? defaultPrometheusFlags;
  for (const flag of prometheusFlags) {
    if (!flag.startsWith('--'))
      throw new Error(`prometheus flag "${flag}" must start with -- (one flag per line)`);
  }
  const missingFlags = requiredPrometheusFlags.filter((flag) => !prometheusFlags.includes(flag));
  if (missingFlags.length > 0) {
    throw new Error(
      `prometheus flags lack ${missingFlags.join(' and ')}: the stack mounts the configuration and the data volume there`,
    );
  }

  const components: Component[] = [
    {
      name: 'frontend',
      description:
        'The task manager UI: static files and a same-origin proxy for /api and browser spans (nginx, unprivileged).',
      image: {
        kind: 'build',
        image: { repository: 'obslab/frontend', tag: appVersion },
        context: '.',
        dockerfile: 'services/frontend/Dockerfile',
      },
      args: [],
      ports: [{ name: 'http', containerPort: 8080, userFacing: true }],
      env: {
        NGINX_PORT: literal('8080'),
        // Docker's embedded DNS; names are resolved per request so a restarted backend is found again.
        NGINX_RESOLVER: literal('127.0.0.11'),
        TASK_API_URL: literal('http://task-api:3000'),
        OTEL_COLLECTOR_URL: literal('http://otel-collector:4318'),
        GRAFANA_URL: setting('GRAFANA_PUBLIC_URL', 'http://localhost:3000'),
      },
      config: [],
      volumes: [],
      scratch: ['/tmp', '/etc/nginx/conf.d'],
      health: http(8080, '/healthz'),
      dependsOn: [{ component: 'task-api', reason: 'the UI is useless until the API answers' }],
      resources: { memoryMiB: 64, cpus: 0.5 },
      security: { user: '101:101', readOnlyRootFilesystem: true },
    },
    {
      name: 'task-api',
      description: 'The tasks API (NestJS): SQLite on a named volume by default, PostgreSQL with the add-on.',
      image: {
        kind: 'build',
        image: { repository: 'obslab/task-api', tag: appVersion },
        context: '.',
        dockerfile: 'services/task-api/Dockerfile',
      },
      args: [],
      ports: [{ name: 'http', containerPort: 3000, userFacing: false }],
      env: {
        PORT: literal('3000'),
        HOST: literal('0.0.0.0'),
        DATA_DIR: literal('/data'),
        LOG_LEVEL: setting('TASK_API_LOG_LEVEL', 'info'),
        OTEL_SERVICE_NAME: literal('task-api'),
        OTEL_EXPORTER_OTLP_ENDPOINT: literal('http://otel-collector:4318'),
        OTEL_RESOURCE_ATTRIBUTES: setting('OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment.name=lab'),
        // What task-api is benchmarked with (services/task-api README).
        NODE_OPTIONS: literal('--max-semi-space-size=4 --max-old-space-size=128'),
      },
      config: [],
      volumes: [{ name: 'task-api-data', target: '/data' }],
      scratch: ['/tmp'],
      health: http(3000, '/health/ready'),
      // Not the collector: the API must serve without telemetry; its OTLP exporter retries and drops.
      dependsOn: [],
      resources: { memoryMiB: 320, cpus: 1 },
      security: { user: '10001:10001', readOnlyRootFilesystem: true },
    },
    {
      name: 'otel-collector',
      description: 'OpenTelemetry Collector: the single OTLP entry point; traces to Tempo, logs to Loki.',
      image: { kind: 'upstream', image: versions['otel-collector'] },
      args: ['--config=/etc/otelcol/config.yaml'],
      ports: [
        { name: 'otlp-grpc', containerPort: 4317, userFacing: false },
        { name: 'otlp-http', containerPort: 4318, userFacing: false },
        { name: 'metrics', containerPort: 8888, userFacing: false },
        { name: 'health', containerPort: 13133, userFacing: false },
      ],
      env: {
        DEPLOYMENT_ENVIRONMENT: setting('DEPLOYMENT_ENVIRONMENT', 'lab'),
        TEMPO_OTLP_ENDPOINT: literal('tempo:4317'),
        LOKI_OTLP_ENDPOINT: literal('http://loki:3100/otlp'),
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
      health: http(13133, '/'),
      dependsOn: [],
      resources: { memoryMiB: 384, cpus: 0.5 },
      security: { user: '10001:10001', readOnlyRootFilesystem: true },
    },
    {
      name: 'tempo',
      description:
        'Grafana Tempo: trace storage; its metrics generator remote-writes service graphs and span metrics to Prometheus.',
      image: { kind: 'upstream', image: versions.tempo },
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
      health: http(3200, '/ready'),
      dependsOn: [],
      resources: { memoryMiB: 768, cpus: 1 },
      security: { user: '10001:10001', readOnlyRootFilesystem: true },
    },
    {
      name: 'loki',
      description: 'Grafana Loki: log storage, fed over OTLP by the collector.',
      image: { kind: 'upstream', image: versions.loki },
      args: ['-config.file=/etc/loki/loki.yaml', '-config.expand-env=true'],
      ports: [{ name: 'http', containerPort: 3100, userFacing: false }],
      env: {},
      config: [{ source: 'compose/config/loki/loki.yaml', target: '/etc/loki/loki.yaml', kind: 'file' }],
      volumes: [{ name: 'loki-data', target: '/loki' }],
      scratch: ['/tmp'],
      health: http(3100, '/ready'),
      dependsOn: [],
      resources: { memoryMiB: 512, cpus: 1 },
      security: { user: '10001:10001', readOnlyRootFilesystem: true },
    },
    {
      name: 'prometheus',
      description:
        'Prometheus: scrapes task-api and the stack, evaluates the SLO rules, receives Tempo remote writes.',
      image: { kind: 'upstream', image: versions.prometheus },
      args: [...prometheusFlags],
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
      health: http(9090, '/-/ready'),
      dependsOn: [],
      resources: { memoryMiB: 768, cpus: 1 },
      security: { user: '65534:65534', readOnlyRootFilesystem: true },
    },
    {
      name: 'grafana',
      description:
        'Grafana: provisioned datasources (fixed uids) and dashboards; login required, no anonymous access.',
      image: { kind: 'upstream', image: versions.grafana },
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
      health: http(3000, '/api/health'),
      dependsOn: [
        { component: 'prometheus', reason: 'dashboards query it as soon as Grafana serves' },
        { component: 'loki', reason: 'the logs datasource' },
        { component: 'tempo', reason: 'the traces datasource' },
      ],
      resources: { memoryMiB: 512, cpus: 1 },
      // Grafana writes under its home at start (plugins, csv, pdf): not read-only.
      security: { user: '472:0', readOnlyRootFilesystem: true },
    },
    {
      name: 'postgres',
      description: 'PostgreSQL for task-api (opt-in add-on; SQLite is the default).',
      image: { kind: 'upstream', image: versions.postgres },
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
      addOn: 'postgres',
    },
  ];

  return {
    name: 'obslab',
    components,
    postgresWiring: {
      taskApiEnv: {
        DATABASE_URL: secret('DATABASE_URL', 'set it in .env for the postgres add-on (see .env.example)'),
      },
      dependency: { component: 'postgres', reason: 'migrations run at start' },
    },
  };
}

/** The component named `name`; throws a specific error when there is none. */
export function componentOf(stack: Stack, name: ComponentName): Component {
  const component = stack.components.find((c) => c.name === name);
  if (!component)
    throw new Error(
      `the stack has no component "${name}" (has: ${stack.components.map((c) => c.name).join(', ')})`,
    );
  return component;
}
