// The lab's options, defined once in zod: the rules of each field (names, quantities, durations,
// replicas, images), the chart's props schema built from them, and the lists of stateful and
// optional components. The chart's props type derives from the schema, and the operator builds the
// ObservabilityLab spec (and from it the CRD's OpenAPI schema) out of the same field schemas.
import {
  componentNames,
  databaseModes,
  optionalComponents,
  parseImageRef,
  statefulComponents,
  type ComponentName,
  type DatabaseMode,
  type OptionalComponent,
  type StatefulComponent,
} from '@obslab/stack';
import { z } from 'zod';

// Facts of the stack's components (@obslab/stack): stateful ones keep state on a
// PersistentVolumeClaim; optional ones may be turned off, the others always run.
export { optionalComponents, statefulComponents, type OptionalComponent, type StatefulComponent };

/** Where task-api keeps its tasks: the stack's database modes. */
export const labDatabases = databaseModes;
export type LabDatabase = DatabaseMode;

/** Default PVC sizes. */
export const defaultStorageSizes: Readonly<Record<StatefulComponent, string>> = {
  'task-api': '1Gi',
  tempo: '10Gi',
  loki: '10Gi',
  prometheus: '10Gi',
  grafana: '1Gi',
  postgres: '5Gi',
};

const show = (value: unknown) => JSON.stringify(value) ?? String(value);
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * A storage size: the strict subset of Kubernetes quantity syntax the chart and the CRD both take,
 * a plain number of bytes or one with a binary suffix (Ki…Ei), e.g. 10Gi or 1.5Ti: no sign, no
 * exponent, no decimal suffix (500M and 500Mi differ by 5%, a classic sizing slip).
 */
const quantity = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const duration = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
// repository[:port/path]:tag, the shape parseImageRef of @obslab/stack accepts (never `latest`: refined below).
const imageRef =
  /^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?(:[0-9]+)?([a-z0-9._/-]*[a-z0-9])?(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

const pinnedImage = (value: string) => {
  try {
    parseImageRef(value, 'image');
    return true;
  } catch {
    return false;
  }
};

/** The rules of the lab's fields, shared by the chart's props and the operator's ObservabilityLab spec. */
export const labFields = {
  /** A namespace name: a DNS label of at most 63 characters. */
  namespace: () => {
    const error = (issue: { input?: unknown }) =>
      `${show(issue.input)} is not a valid Kubernetes name (lower-case letters, digits and "-", at most 63 characters)`;
    return z.string().max(63, { error }).regex(dnsLabel, { error });
  },
  /** A resource or host name: a DNS subdomain of at most 253 characters. */
  name: () => {
    const error = (issue: { input?: unknown }) =>
      `${show(issue.input)} is not a valid Kubernetes name (lower-case letters, digits, "-" and ".", at most 253 characters)`;
    return z.string().min(1, { error }).max(253, { error }).regex(dnsSubdomain, { error });
  },
  /** A storage size such as 10Gi (a Kubernetes quantity). */
  storageSize: () =>
    z.string().regex(quantity, {
      error: (issue) =>
        `${show(issue.input)} is not a Kubernetes quantity with a binary suffix such as 10Gi or 1.5Ti`,
    }),
  /** A Prometheus duration such as 15d or 36h. */
  duration: () =>
    z
      .string()
      .regex(duration, { error: (issue) => `${show(issue.input)} is not a duration such as 15d or 36h` }),
  /** Replicas of a component: 1 to 20. */
  replicas: () => {
    const error = (issue: { input?: unknown }) =>
      `must be a whole number from 1 to 20; got ${show(issue.input)}`;
    return z.int({ error }).min(1, { error }).max(20, { error });
  },
  /** The database mode. */
  database: () =>
    z.enum(labDatabases, {
      error: (issue) => `must be ${labDatabases.map(show).join(' or ')}; got ${show(issue.input)}`,
    }),
  /** An image, `repository:tag`, never `latest`. */
  image: () =>
    z
      .string()
      .max(512, { abort: true })
      .regex(imageRef, {
        abort: true,
        error: (issue) =>
          `${show(issue.input)} is not an image reference with a pinned tag (want repository:tag, e.g. grafana/grafana:12.4.5)`,
      })
      .refine(pinnedImage, {
        error: (issue) =>
          /:latest$/.test(String(issue.input).trim())
            ? `${show(issue.input)} uses the floating tag latest; pin a release`
            : `${show(issue.input)} is not an image reference with a pinned tag (want repository:tag, e.g. grafana/grafana:12.4.5)`,
        params: { rule: 'pinned-image' },
      }),
  /** An IPv4 address. */
  ipv4: () =>
    z.string().regex(ipv4, {
      error: (issue) =>
        `${show(issue.input)} is not an IPv4 address (kubectl -n kube-system get svc kube-dns)`,
    }),
  /** One entry per stateful component, e.g. its volume size; other names are rejected. */
  perStatefulComponent: <T extends z.ZodType>(value: (component: StatefulComponent) => T) =>
    z.strictObject(
      Object.fromEntries(statefulComponents.map((c) => [c, value(c)])) as Record<StatefulComponent, T>,
      {
        error: (issue) =>
          issue.code === 'unrecognized_keys'
            ? `${issue.keys.map(show).join(', ')} keeps no state (stateful: ${statefulComponents.join(', ')})`
            : undefined,
      },
    ),
  /** One entry per optional component, e.g. its switch; other names are rejected. */
  perOptionalComponent: <T extends z.ZodType>(value: (component: OptionalComponent) => T) =>
    z.strictObject(
      Object.fromEntries(optionalComponents.map((c) => [c, value(c)])) as Record<OptionalComponent, T>,
      {
        error: (issue) => {
          if (issue.code === 'invalid_type')
            return `must be an object such as { tempo: false }; got ${show(issue.input)}`;
          if (issue.code !== 'unrecognized_keys') return undefined;
          const key = issue.keys[0]!;
          return (componentNames as readonly string[]).includes(key)
            ? `${show(key)} cannot be turned off (optional: ${optionalComponents.join(', ')})`
            : `${show(key)} is not a component (optional: ${optionalComponents.join(', ')})`;
        },
      },
    ),
  /** One entry per component of the stack; other names are rejected. */
  perComponent: <T extends z.ZodType>(value: (component: ComponentName) => T) =>
    z.strictObject(Object.fromEntries(componentNames.map((c) => [c, value(c)])) as Record<ComponentName, T>, {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `${issue.keys.map(show).join(', ')} is an unknown component (known: ${componentNames.join(', ')})`
          : undefined,
    }),
} as const;

/** The rule that several task-api replicas need PostgreSQL, for both the chart and the CRD. */
export const sqliteSingleReplica = {
  rule: 'sqlite-single-replica',
  message: (replicas: number) =>
    `${replicas} replicas need database "postgres": SQLite lives on a ReadWriteOnce volume that one pod can use`,
} as const;

/** The rule that the app and Grafana have their own host names. */
export const distinctHosts = { rule: 'distinct-hosts' } as const;

const switchSchema = () =>
  z.boolean({ error: (issue) => `must be true or false; got ${show(issue.input)}` }).optional();

/** The chart's props (without `stack` and `workspaceRoot`, which are code, not options). */
export const labOptionsSchema = z
  .strictObject({
    /** Namespace the lab lives in (created by the chart, restricted pod security enforced). Default: `obslab`. */
    namespace: labFields.namespace().default('obslab'),
    /** Ingress host names. */
    hosts: z
      .strictObject({
        /** The task manager UI and its API. Default: `obslab.example.test`. */
        app: labFields.name().default('obslab.example.test'),
        /** Grafana. Default: `grafana.obslab.example.test`. */
        grafana: labFields.name().default('grafana.obslab.example.test'),
      })
      .prefault({}),
    /** Secret of type kubernetes.io/tls for both hosts, created by you or cert-manager. Default: `obslab-tls`. */
    tlsSecretName: labFields.name().default('obslab-tls'),
    /** IngressClass of the Ingress. Default: `nginx` (ingress-nginx). */
    ingressClassName: labFields.name().default('nginx'),
    /** Namespace of the ingress controller's pods, allowed to reach the frontend and Grafana. Default: `ingress-nginx`. */
    ingressControllerNamespace: labFields.namespace().default('ingress-nginx'),
    /** StorageClass of every PersistentVolumeClaim. Default: none, the cluster's default StorageClass. */
    storageClassName: labFields.name().optional(),
    /** Size of each component's PersistentVolumeClaim (a Kubernetes quantity). Default: {@link defaultStorageSizes}. */
    storageSizes: labFields.perStatefulComponent(() => labFields.storageSize().optional()).prefault({}),
    /**
     * `sqlite`: task-api keeps SQLite on a ReadWriteOnce PVC, a single replica with the Recreate
     * strategy. `postgres`: a PostgreSQL StatefulSet, and task-api may scale. Default: `sqlite`.
     */
    database: labFields.database().default('sqlite'),
    /** task-api replicas; more than 1 needs `database: 'postgres'`. Default: 1. */
    taskApiReplicas: labFields.replicas().default(1),
    /** frontend (nginx) replicas. Default: 2. */
    frontendReplicas: labFields.replicas().default(2),
    /** Image per component, `repository:tag` (never `latest`). Default: the stack's images (compose/config/versions.json, the app version). */
    images: labFields.perComponent(() => labFields.image().optional()).prefault({}),
    /** How long the telemetry backends keep data. */
    retention: z
      .strictObject({
        /** Prometheus TSDB retention (`--storage.tsdb.retention.time`). Default: `15d`. */
        prometheus: labFields.duration().default('15d'),
      })
      .prefault({}),
    /** Optional components, `false` turns one off. Default: every component on. */
    components: labFields.perOptionalComponent(switchSchema).prefault({}),
    /** Secret (you create it) with keys `admin-user` and `admin-password` for Grafana's admin. Default: `obslab-grafana-admin`. */
    grafanaAdminSecretName: labFields.name().default('obslab-grafana-admin'),
    /** Secret (you create it) with keys `password` and `database-url`, for `database: 'postgres'`. Default: `obslab-postgres`. */
    postgresSecretName: labFields.name().default('obslab-postgres'),
    /**
     * The cluster DNS Service IP, nginx's `resolver` (nginx resolves at start and per request and
     * uses no search path, so it needs an address). Default: `10.96.0.10` (kubeadm's kube-dns).
     */
    dnsServiceIp: labFields.ipv4().default('10.96.0.10'),
    /** The cluster's DNS domain. Default: `cluster.local`. */
    clusterDomain: labFields.name().default('cluster.local'),
    /** Egress to the API server for Prometheus's pod discovery. */
    apiServerEgress: z
      .strictObject({
        /** CIDRs of the API server endpoints (after the Service's DNAT). Default: `['0.0.0.0/0']`: narrow it to your control plane. */
        cidrs: z
          .array(z.string())
          .min(1, { error: 'needs at least one CIDR' })
          .readonly()
          .default(['0.0.0.0/0']),
        /** Ports of the API server endpoints. Default: `[443, 6443]`. */
        ports: z
          .array(z.int().min(1).max(65535))
          .min(1, { error: 'needs at least one port' })
          .readonly()
          .default([443, 6443]),
      })
      .prefault({}),
    /**
     * Values of the stack's operator settings (e.g. `TASK_API_LOG_LEVEL`, `DEPLOYMENT_ENVIRONMENT`),
     * by variable name. Default: the stack's defaults; `GRAFANA_PUBLIC_URL` is `https://<hosts.grafana>`.
     */
    settings: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((options, ctx) => {
    if (options.hosts.app === options.hosts.grafana)
      ctx.addIssue({
        code: 'custom',
        path: ['hosts'],
        message: `app and grafana must differ (both are ${show(options.hosts.app)})`,
        params: { rule: distinctHosts.rule },
      });
    if (options.database === 'sqlite' && options.taskApiReplicas > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['taskApiReplicas'],
        message: `${sqliteSingleReplica.message(options.taskApiReplicas)}; use database: "postgres" to scale task-api`,
        params: { rule: sqliteSingleReplica.rule },
      });
  });

/** The lab's options as written: every field optional. */
export type LabOptions = z.input<typeof labOptionsSchema>;
/** The lab's options with every default applied. */
export type ParsedLabOptions = z.output<typeof labOptionsSchema>;
/** Egress that Prometheus needs to reach the Kubernetes API server for pod discovery. */
export type ApiServerEgress = NonNullable<LabOptions['apiServerEgress']>;
/** Host names served by the Ingress. */
export type LabHosts = NonNullable<LabOptions['hosts']>;
/** How long the telemetry backends keep data. */
export type LabRetention = NonNullable<LabOptions['retention']>;
