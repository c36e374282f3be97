import {
  type Component,
  type ComponentName,
  type Connection,
  type DatabaseMode,
  type EnvValue,
  type Port,
  type Stack,
} from './component.types.js';
import { type ImageVersions } from './image-versions.js';
import {
  defaultPrometheusFlags,
  labComponents,
  labConnections,
  requiredPrometheusFlags,
} from './lab.components.js';

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

/** The lab's memory budget: every component's limit together, add-ons included. */
export const memoryBudgetMiB = 4096;

/**
 * The lab, defined once: every rendering (compose/, the Kubernetes manifests of charts-ts, the
 * operator's desired state) is a function of this value. Throws when a connection or an endpoint
 * names a component or port that does not exist.
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
  const components = labComponents.map((definition): Component => {
    const { image, ...rest } = definition;
    return {
      ...rest,
      ...(definition.name === 'prometheus' ? { args: [...prometheusFlags] } : {}),
      image:
        image.kind === 'upstream'
          ? { kind: 'upstream', image: versions[definition.name as keyof ImageVersions] }
          : {
              kind: 'build',
              image: { repository: image.repository, tag: appVersion },
              context: image.context,
              dockerfile: image.dockerfile,
            },
    };
  });
  const stack: Stack = { name: 'obslab', components, connections: labConnections };
  checkWiring(stack);
  return stack;
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

/** The port of `component` named `name`; throws a specific error when there is none. */
export function portOf(component: Component, name: string): Port {
  const port = component.ports.find((p) => p.name === name);
  if (!port)
    throw new Error(
      `${component.name} has no port named "${name}" (has: ${component.ports.map((p) => p.name).join(', ')})`,
    );
  return port;
}

/**
 * Whether `component` runs in a lab with this database mode and these optional components on
 * (`enabled`: by name; an optional component missing from it is on).
 */
export function runsIn(
  component: Component,
  lab: {
    readonly database: DatabaseMode;
    readonly enabled?: Readonly<Partial<Record<ComponentName, boolean>>>;
  },
): boolean {
  if (component.database !== undefined && component.database !== lab.database) return false;
  return !component.optional || lab.enabled?.[component.name] !== false;
}

/** The connections between `running` components, in the stack's order. */
export function connectionsAmong(stack: Stack, running: readonly ComponentName[]): Connection[] {
  return stack.connections.filter((c) => running.includes(c.from) && running.includes(c.to));
}

/**
 * The variable value of an endpoint, `[scheme://]host:port[path]`, with the host the renderer
 * chose (the short service name, or a fully qualified one).
 */
export function endpointUrl(stack: Stack, value: EnvValue & { kind: 'endpoint' }, host: string): string {
  const port = portOf(componentOf(stack, value.to), value.port).containerPort;
  return `${value.scheme ? `${value.scheme}://` : ''}${host}:${port}${value.path ?? ''}`;
}

/**
 * Throws unless every connection names components and ports that exist, once, and every endpoint
 * variable is a connection of its component.
 */
export function checkWiring(stack: Stack): void {
  const names = new Set(stack.components.map((c) => c.name));
  for (const connection of stack.connections) {
    const what = `connection ${connection.from} → ${connection.to} (${connection.why})`;
    if (!names.has(connection.from)) throw new Error(`${what}: no component ${connection.from}`);
    portOf(componentOf(stack, connection.to), connection.port);
    const same = stack.connections.filter(
      (c) => c.from === connection.from && c.to === connection.to && c.port === connection.port,
    );
    if (same.length > 1) throw new Error(`${what}: declared ${same.length} times; declare it once`);
  }
  for (const component of stack.components) {
    if (component.health.kind === 'http') portOf(component, component.health.port);
    for (const [variable, value] of Object.entries(component.env)) {
      if (value.kind === 'port') portOf(component, value.port);
      if (value.kind !== 'endpoint') continue;
      const declared = stack.connections.some(
        (c) => c.from === component.name && c.to === value.to && c.port === value.port,
      );
      if (!declared)
        throw new Error(
          `${component.name}: ${variable} reaches ${value.to}:${value.port}, which is not a connection of the stack; declare it in labConnections`,
        );
    }
  }
}
