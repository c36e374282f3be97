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
  | { readonly kind: 'secret'; readonly variable: string; readonly hint: string };

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
  | { readonly kind: 'http'; readonly port: number; readonly path: string }
  | { readonly kind: 'command'; readonly command: readonly string[] };

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

/** One component of the lab. */
export interface Component {
  readonly name: ComponentName;
  readonly description: string;
  readonly image: ImageSource;
  /** Container arguments (after the image's entrypoint); empty: the image's default command. */
  readonly args: readonly string[];
  readonly ports: readonly Port[];
  readonly env: Readonly<Record<string, EnvValue>>;
  readonly config: readonly ConfigMount[];
  readonly volumes: readonly DataVolume[];
  /** Writable scratch directories (tmpfs in compose, emptyDir in Kubernetes). */
  readonly scratch: readonly string[];
  readonly health: HealthEndpoint;
  readonly dependsOn: readonly Dependency[];
  readonly resources: Resources;
  readonly security: SecurityContext;
  /** Set for opt-in add-ons, which are off by default. */
  readonly addOn?: 'postgres';
}

/** The whole lab. */
export interface Stack {
  readonly name: string;
  readonly components: readonly Component[];
  /** Variables that wire `task-api` to the `postgres` add-on when it is enabled. */
  readonly postgresWiring: {
    readonly taskApiEnv: Readonly<Record<string, EnvValue>>;
    readonly dependency: Dependency;
  };
}
