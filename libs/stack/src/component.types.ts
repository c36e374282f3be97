// Platform-neutral description of the lab's components: what every rendering (compose today,
// Kubernetes manifests and the operator later) needs to know, and nothing that only one of them
// needs. Compose-only details (probe commands, restart policy, host ports) live in compose/.

/** The lab's components. `postgres` is an opt-in add-on. */
export const componentNames = [
  'frontend',
  'task-api',
  'otel-collector',
  'tempo',
  'loki',
  'prometheus',
  'grafana',
  'postgres',
] as const;
export type ComponentName = (typeof componentNames)[number];

/** An image reference pinned to a tag (never `latest`). */
export interface ImageRef {
  /** e.g. `grafana/grafana` or `obslab/task-api`. */
  readonly repository: string;
  /** e.g. `12.4.5`. */
  readonly tag: string;
}

/** Where a component's image comes from. */
export type ImageSource =
  | { readonly kind: 'upstream'; readonly image: ImageRef }
  | {
      readonly kind: 'build';
      /** The name the built image is tagged with. */
      readonly image: ImageRef;
      /** Build context, relative to the workspace root. */
      readonly context: string;
      /** Dockerfile, relative to the workspace root. */
      readonly dockerfile: string;
    };

/** Where a component's image comes from, before versions are known (see {@link ComponentDefinition}). */
export type ImageOrigin =
  | { readonly kind: 'upstream' }
  | {
      readonly kind: 'build';
      readonly repository: string;
      readonly context: string;
      readonly dockerfile: string;
    };

/** The database task-api keeps its tasks in: one vocabulary for compose, Kubernetes and the operator. */
export const databaseModes = ['sqlite', 'postgres'] as const;
export type DatabaseMode = (typeof databaseModes)[number];
/** The database mode when none is chosen. */
export const defaultDatabaseMode: DatabaseMode = 'sqlite';

/** A port the container listens on. */
export interface Port {
  /** Lower-case name, unique in the component (`http`, `otlp-grpc`): Kubernetes port names. */
  readonly name: string;
  readonly containerPort: number;
  /** Reached by people (browser) rather than only by other components: published by compose, an Ingress in Kubernetes. */
  readonly userFacing: boolean;
}

/**
 * An environment variable's value:
 * - `literal`: fixed by the lab;
 * - `setting`: the operator may change it (non-secret), with a default;
 * - `secret`: the operator must supply it; the definitions never hold a value.
 */
export type EnvValue =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'setting'; readonly variable: string; readonly default: string }
  | { readonly kind: 'secret'; readonly variable: string; readonly hint: string }
  | PortValue
  | EndpointValue
  | PlatformValue;

/** The number of one of the component's own named ports (`PORT=3000`). */
export interface PortValue {
  readonly kind: 'port';
  readonly port: string;
}

/**
 * Where a {@link Connection} of this component reaches its server: `[scheme://]host:port[path]`.
 * The renderer writes the host: the short service name under compose, the Service's name (fully
 * qualified for components that {@link Component.resolvesNamesItself}) on Kubernetes.
 */
export interface EndpointValue {
  readonly kind: 'endpoint';
  readonly to: ComponentName;
  /** A port name of `to`. */
  readonly port: string;
  readonly scheme?: 'http';
  readonly path?: string;
}

/** A fact of the platform the renderer knows, not the model. */
export interface PlatformValue {
  readonly kind: 'platform';
  /** `dns-resolver`: the address of the DNS server (Docker's embedded DNS, the cluster's DNS Service). */
  readonly fact: 'dns-resolver';
}

/** A configuration file or directory of the repository, mounted read-only. */
export interface ConfigMount {
  /** Relative to the workspace root, e.g. `compose/config/loki/loki.yaml`. */
  readonly source: string;
  /** Absolute path in the container. */
  readonly target: string;
  readonly kind: 'file' | 'directory';
}

/** Persistent state: a named volume (compose) or a PersistentVolumeClaim (Kubernetes). */
export interface DataVolume {
  /** Lower-case name, unique in the lab, e.g. `task-api-data`. */
  readonly name: string;
  readonly target: string;
}

/** How to tell the component is ready. */
export type HealthEndpoint =
  | {
      readonly kind: 'http';
      /** A port name of the component. */
      readonly port: string;
      readonly path: string;
    }
  | { readonly kind: 'command'; readonly command: readonly string[] };

/**
 * One allowed connection between two components: the client `from` opens connections to the named
 * port of `to`. Declared once in the stack; network policies, endpoint variables and scrape targets
 * are derived from it. A connection exists when both ends run.
 */
export interface Connection {
  readonly from: ComponentName;
  readonly to: ComponentName;
  /** A port name of `to`. */
  readonly port: string;
  /** Why the lab needs it. */
  readonly why: string;
  /** Prometheus scrapes `to` here (a scrape job named after `to`). */
  readonly scrape?: boolean;
  /** Variables the client gets only with this connection (`DATABASE_URL`, which holds a password). */
  readonly env?: Readonly<Record<string, EnvValue>>;
}

/** A component that must be healthy before this one starts, and why. */
export interface Dependency {
  readonly component: ComponentName;
  readonly reason: string;
}

export interface Resources {
  /** Memory limit (and request) in MiB. */
  readonly memoryMiB: number;
  /** CPU limit in cores, e.g. 0.5. */
  readonly cpus: number;
}

export interface SecurityContext {
  /** `uid:gid`, never root. */
  readonly user: string;
  /** The root filesystem is read-only; writable scratch paths are listed in `scratch`. */
  readonly readOnlyRootFilesystem: boolean;
}

/** One component of the lab, as the stack defines it before images are pinned. */
export interface ComponentDefinition {
  readonly name: ComponentName;
  readonly description: string;
  readonly image: ImageOrigin;
  /** Container arguments (after the image's entrypoint); empty: the image's default command. */
  readonly args: readonly string[];
  readonly ports: readonly Port[];
  readonly env: Readonly<Record<string, EnvValue>>;
  readonly config: readonly ConfigMount[];
  /** Persistent state; a component with volumes is stateful. */
  readonly volumes: readonly DataVolume[];
  /** Writable scratch directories (tmpfs in compose, emptyDir in Kubernetes). */
  readonly scratch: readonly string[];
  readonly health: HealthEndpoint;
  readonly dependsOn: readonly Dependency[];
  readonly resources: Resources;
  readonly security: SecurityContext;
  /** The lab runs without it when it is turned off (the others always run). */
  readonly optional?: boolean;
  /** It runs only with this database mode (an opt-in add-on: a compose profile of that name). */
  readonly database?: DatabaseMode;
  /**
   * It resolves the names of its servers itself (nginx's `resolver`): it gets the platform's DNS
   * server address and, as it uses no DNS search path, fully qualified names.
   */
  readonly resolvesNamesItself?: boolean;
}

/** One component of the lab, its image pinned. */
export interface Component extends Omit<ComponentDefinition, 'image'> {
  readonly image: ImageSource;
}

/** The whole lab. */
export interface Stack {
  readonly name: string;
  readonly components: readonly Component[];
  /** Every connection between components; everything else is denied. */
  readonly connections: readonly Connection[];
}
