import {
  componentNames,
  formatImageRef,
  optionalComponents,
  parseImageRef,
  statefulComponents,
  type ComponentName,
  type DatabaseMode,
  type OptionalComponent,
  type Stack,
  type StatefulComponent,
} from '@obslab/stack';

// Facts of the stack's components (@obslab/stack): stateful ones keep state on a
// PersistentVolumeClaim; optional ones may be turned off, the others always run.
export { optionalComponents, statefulComponents, type OptionalComponent, type StatefulComponent };

/** Where task-api keeps its tasks: the stack's database mode. */
export type LabDatabase = DatabaseMode;

/** Host names served by the Ingress. */
export interface LabHosts {
  /** The task manager UI and its API. Default: `obslab.example.test`. */
  readonly app?: string;
  /** Grafana. Default: `grafana.obslab.example.test`. */
  readonly grafana?: string;
}

/** How long the telemetry backends keep data. */
export interface LabRetention {
  /** Prometheus TSDB retention (`--storage.tsdb.retention.time`). Default: `15d`. */
  readonly prometheus?: string;
}

/** Egress that Prometheus needs to reach the Kubernetes API server for pod discovery. */
export interface ApiServerEgress {
  /** CIDRs of the API server endpoints (after the Service's DNAT). Default: `['0.0.0.0/0']`: narrow it to your control plane. */
  readonly cidrs?: readonly string[];
  /** Ports of the API server endpoints. Default: `[443, 6443]`. */
  readonly ports?: readonly number[];
}

/** Props of {@link LabChart}: one lab in one namespace. Every field is optional. */
export interface LabChartProps {
  /** Namespace the lab lives in (created by the chart, restricted pod security enforced). Default: `obslab`. */
  readonly namespace?: string;
  /** Ingress host names. Default: see {@link LabHosts}. */
  readonly hosts?: LabHosts;
  /** Secret of type kubernetes.io/tls for both hosts, created by you or cert-manager. Default: `obslab-tls`. */
  readonly tlsSecretName?: string;
  /** IngressClass of the Ingress. Default: `nginx` (ingress-nginx). */
  readonly ingressClassName?: string;
  /** Namespace of the ingress controller's pods, allowed to reach the frontend and Grafana. Default: `ingress-nginx`. */
  readonly ingressControllerNamespace?: string;
  /** StorageClass of every PersistentVolumeClaim. Default: none, the cluster's default StorageClass. */
  readonly storageClassName?: string;
  /** Size of each component's PersistentVolumeClaim (a Kubernetes quantity). Default: {@link defaultStorageSizes}. */
  readonly storageSizes?: Partial<Readonly<Record<StatefulComponent, string>>>;
  /**
   * `sqlite`: task-api keeps SQLite on a ReadWriteOnce PVC, a single replica with the Recreate
   * strategy. `postgres`: a PostgreSQL StatefulSet, and task-api may scale. Default: `sqlite`.
   */
  readonly database?: LabDatabase;
  /** task-api replicas; more than 1 needs `database: 'postgres'`. Default: 1. */
  readonly taskApiReplicas?: number;
  /** frontend (nginx) replicas. Default: 2. */
  readonly frontendReplicas?: number;
  /** Image per component, `repository:tag` (never `latest`). Default: the stack's images (compose/config/versions.json, the app version). */
  readonly images?: Partial<Readonly<Record<ComponentName, string>>>;
  /** Data retention. Default: see {@link LabRetention}. */
  readonly retention?: LabRetention;
  /** Optional components, `false` turns one off. Default: every component on. */
  readonly components?: Partial<Readonly<Record<OptionalComponent, boolean>>>;
  /** Secret (you create it) with keys `admin-user` and `admin-password` for Grafana's admin. Default: `obslab-grafana-admin`. */
  readonly grafanaAdminSecretName?: string;
  /** Secret (you create it) with keys `password` and `database-url`, for `database: 'postgres'`. Default: `obslab-postgres`. */
  readonly postgresSecretName?: string;
  /**
   * The cluster DNS Service IP, nginx's `resolver` (nginx resolves at start and per request and
   * uses no search path, so it needs an address). Default: `10.96.0.10` (kubeadm's kube-dns).
   */
  readonly dnsServiceIp?: string;
  /** The cluster's DNS domain. Default: `cluster.local`. */
  readonly clusterDomain?: string;
  /** Egress to the API server for Prometheus's pod discovery. Default: see {@link ApiServerEgress}. */
  readonly apiServerEgress?: ApiServerEgress;
  /**
   * Values of the stack's operator settings (e.g. `TASK_API_LOG_LEVEL`, `DEPLOYMENT_ENVIRONMENT`),
   * by variable name. Default: the stack's defaults; `GRAFANA_PUBLIC_URL` is `https://<hosts.grafana>`.
   */
  readonly settings?: Readonly<Record<string, string>>;
  /** The stack definition. Default: this workspace's (`workspaceStack()` from @obslab/stack). */
  readonly stack?: Stack;
  /** Workspace root that config file paths of the stack are relative to. Default: found above this package (nx.json). */
  readonly workspaceRoot?: string;
}

/** Default PVC sizes. */
export const defaultStorageSizes: Readonly<Record<StatefulComponent, string>> = {
  'task-api': '1Gi',
  tempo: '10Gi',
  loki: '10Gi',
  prometheus: '10Gi',
  grafana: '1Gi',
  postgres: '5Gi',
};

/** The props with every default applied and checked. */
export interface ResolvedLabProps {
  readonly namespace: string;
  readonly hosts: Required<LabHosts>;
  readonly tlsSecretName: string;
  readonly ingressClassName: string;
  readonly ingressControllerNamespace: string;
  readonly storageClassName: string | undefined;
  readonly storageSizes: Readonly<Record<StatefulComponent, string>>;
  readonly database: LabDatabase;
  readonly taskApiReplicas: number;
  readonly frontendReplicas: number;
  readonly images: Readonly<Record<ComponentName, string>>;
  readonly retention: Required<LabRetention>;
  /** Whether each optional component runs. */
  readonly enabled: Readonly<Record<OptionalComponent, boolean>>;
  readonly grafanaAdminSecretName: string;
  readonly postgresSecretName: string;
  readonly dnsServiceIp: string;
  readonly clusterDomain: string;
  readonly apiServerEgress: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
  readonly settings: Readonly<Record<string, string>>;
  readonly stack: Stack;
  readonly workspaceRoot: string;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const quantity = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const duration = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`LabChart: ${message}`);
}

function name(value: string, what: string, pattern = dnsLabel, max = 63): string {
  check(
    value.length <= max && pattern.test(value),
    `${what} "${value}" is not a valid Kubernetes name (lower-case letters, digits and "-", at most ${max} characters)`,
  );
  return value;
}

function replicas(value: number, what: string): number {
  check(
    Number.isInteger(value) && value >= 1 && value <= 20,
    `${what} must be a whole number from 1 to 20; got ${value}`,
  );
  return value;
}

function enabledComponents(components: unknown): Record<OptionalComponent, boolean> {
  const enabled = Object.fromEntries(optionalComponents.map((c) => [c, true])) as Record<
    OptionalComponent,
    boolean
  >;
  if (components === undefined) return enabled;
  check(
    typeof components === 'object' && components !== null && !Array.isArray(components),
    `components must be an object such as { tempo: false }; got ${JSON.stringify(components)}`,
  );
  for (const [component, on] of Object.entries(components as object)) {
    check(
      (optionalComponents as readonly string[]).includes(component),
      (componentNames as readonly string[]).includes(component)
        ? `components names "${component}", which cannot be turned off (optional: ${optionalComponents.join(', ')})`
        : `components names unknown component "${component}" (optional: ${optionalComponents.join(', ')})`,
    );
    if (on === undefined) continue;
    check(
      typeof on === 'boolean',
      `components.${component} must be true or false; got ${JSON.stringify(on)}`,
    );
    enabled[component as OptionalComponent] = on as boolean;
  }
  return enabled;
}

/** Applies the defaults and throws a specific Error for any invalid value or combination. */
export function resolveLabProps(props: LabChartProps, stack: Stack, workspaceRoot: string): ResolvedLabProps {
  const namespace = name(props.namespace ?? 'obslab', 'namespace');
  const hosts = {
    app: name(props.hosts?.app ?? 'obslab.example.test', 'hosts.app', dnsSubdomain, 253),
    grafana: name(props.hosts?.grafana ?? 'grafana.obslab.example.test', 'hosts.grafana', dnsSubdomain, 253),
  };
  check(hosts.app !== hosts.grafana, `hosts.app and hosts.grafana must differ (both are "${hosts.app}")`);
  const database = props.database ?? 'sqlite';
  check(
    database === 'sqlite' || database === 'postgres',
    `database must be "sqlite" or "postgres"; got "${String(database)}"`,
  );
  const taskApiReplicas = replicas(props.taskApiReplicas ?? 1, 'taskApiReplicas');
  check(
    !(database === 'sqlite' && taskApiReplicas > 1),
    `taskApiReplicas is ${taskApiReplicas} but database is "sqlite": SQLite lives on a ReadWriteOnce volume that one pod can use; use database: "postgres" to scale task-api`,
  );
  const storageSizes = { ...defaultStorageSizes };
  for (const [component, size] of Object.entries(props.storageSizes ?? {})) {
    check(
      (statefulComponents as readonly string[]).includes(component),
      `storageSizes names "${component}", which keeps no state (stateful: ${statefulComponents.join(', ')})`,
    );
    check(
      quantity.test(size),
      `storageSizes.${component} "${size}" is not a Kubernetes quantity such as 10Gi`,
    );
    storageSizes[component as StatefulComponent] = size;
  }
  const images = {} as Record<ComponentName, string>;
  for (const component of stack.components) images[component.name] = formatImageRef(component.image.image);
  for (const [component, image] of Object.entries(props.images ?? {})) {
    check(
      (componentNames as readonly string[]).includes(component),
      `images names unknown component "${component}" (known: ${componentNames.join(', ')})`,
    );
    try {
      images[component as ComponentName] = formatImageRef(parseImageRef(image, `images.${component}`));
    } catch (error) {
      throw new Error(`LabChart: ${(error as Error).message}`, { cause: error });
    }
  }
  const prometheusRetention = props.retention?.prometheus ?? '15d';
  check(
    duration.test(prometheusRetention),
    `retention.prometheus "${prometheusRetention}" is not a duration such as 15d or 36h`,
  );
  const dnsServiceIp = props.dnsServiceIp ?? '10.96.0.10';
  check(
    ipv4.test(dnsServiceIp),
    `dnsServiceIp "${dnsServiceIp}" is not an IPv4 address (kubectl -n kube-system get svc kube-dns)`,
  );
  const knownSettings = new Set(
    stack.components.flatMap((c) =>
      Object.values(c.env).flatMap((v) => (v.kind === 'setting' ? [v.variable] : [])),
    ),
  );
  for (const variable of Object.keys(props.settings ?? {})) {
    check(
      knownSettings.has(variable),
      `settings names "${variable}", which is not a setting of the stack (settings: ${[...knownSettings].sort().join(', ')})`,
    );
    check(
      variable !== 'POSTGRES_PASSWORD',
      'settings cannot hold POSTGRES_PASSWORD: it comes from the Secret named by postgresSecretName',
    );
  }
  const apiServerEgress = {
    cidrs: props.apiServerEgress?.cidrs ?? ['0.0.0.0/0'],
    ports: props.apiServerEgress?.ports ?? [443, 6443],
  };
  check(
    apiServerEgress.cidrs.length > 0 && apiServerEgress.ports.length > 0,
    'apiServerEgress needs at least one CIDR and one port',
  );
  return {
    namespace,
    hosts,
    tlsSecretName: name(props.tlsSecretName ?? 'obslab-tls', 'tlsSecretName', dnsSubdomain, 253),
    ingressClassName: name(props.ingressClassName ?? 'nginx', 'ingressClassName', dnsSubdomain, 253),
    ingressControllerNamespace: name(
      props.ingressControllerNamespace ?? 'ingress-nginx',
      'ingressControllerNamespace',
    ),
    storageClassName:
      props.storageClassName === undefined
        ? undefined
        : name(props.storageClassName, 'storageClassName', dnsSubdomain, 253),
    storageSizes,
    database,
    taskApiReplicas,
    frontendReplicas: replicas(props.frontendReplicas ?? 2, 'frontendReplicas'),
    images,
    retention: { prometheus: prometheusRetention },
    enabled: enabledComponents(props.components),
    grafanaAdminSecretName: name(
      props.grafanaAdminSecretName ?? 'obslab-grafana-admin',
      'grafanaAdminSecretName',
      dnsSubdomain,
      253,
    ),
    postgresSecretName: name(
      props.postgresSecretName ?? 'obslab-postgres',
      'postgresSecretName',
      dnsSubdomain,
      253,
    ),
    dnsServiceIp,
    clusterDomain: name(props.clusterDomain ?? 'cluster.local', 'clusterDomain', dnsSubdomain, 253),
    apiServerEgress,
    settings: { GRAFANA_PUBLIC_URL: `https://${hosts.grafana}`, ...props.settings },
    stack,
    workspaceRoot,
  };
}
