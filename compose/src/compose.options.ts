// Compose-only details of each component: how to probe health with what the image ships, which
// host port a user-facing port is published on, the restart policy. Everything else comes from
// the platform-neutral definitions in @obslab/stack.
import { type ComponentName } from '@obslab/stack';

/**
 * How compose learns that a component is healthy:
 * - `wget`: the image has wget: a healthcheck inside the container fetches the stack's HTTP health endpoint;
 * - `command`: a healthcheck command run inside the component's own container;
 * - `sidecar`: the image ships no program that could probe it (FROM scratch, distroless), so a small
 *   `<name>-health` service, from an image of the lab that has a shell and wget, probes the
 *   component's HTTP health endpoint (from the stack) over the compose network; dependants wait on it.
 */
export type ComposeProbe =
  | { readonly kind: 'wget' }
  | { readonly kind: 'command'; readonly test: readonly string[] }
  | { readonly kind: 'sidecar'; readonly reason: string };

/** The component whose image runs the probe sidecars (a shell and wget, already pulled by the lab). */
export const probeSidecarImageOf: ComponentName = 'prometheus';

/** The name of the service that probes `component` when its image cannot probe itself. */
export function healthServiceName(component: ComponentName): string {
  return `${component}-health`;
}

export interface ComposeServiceOptions {
  readonly probe: ComposeProbe;
  /** Seconds the service may take to start before failed probes count. */
  readonly startPeriodSeconds: number;
  /** Host port variable and default for each user-facing port, by port name. */
  readonly publish?: Readonly<Record<string, { readonly variable: string; readonly default: number }>>;
}

const wget: ComposeProbe = { kind: 'wget' };

/**
 * The probe the task-api image itself declares (no curl in the image): node:http rather than fetch,
 * which would load undici first and take about twice the time and CPU, on a busy host enough to
 * miss the probe's timeout.
 */
export const taskApiProbe: readonly string[] = [
  'node',
  '-e',
  "require('node:http').get('http://127.0.0.1:3000/health/ready', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))",
];

export const composeOptions: Readonly<Record<ComponentName, ComposeServiceOptions>> = {
  frontend: {
    probe: wget,
    startPeriodSeconds: 10,
    publish: { http: { variable: 'FRONTEND_PORT', default: 8080 } },
  },
  'task-api': { probe: { kind: 'command', test: ['CMD', ...taskApiProbe] }, startPeriodSeconds: 30 },
  'otel-collector': {
    probe: {
      kind: 'sidecar',
      reason:
        'the image is FROM scratch (only /otelcol-contrib: no shell, wget or curl); Kubernetes probes :13133 over HTTP',
    },
    startPeriodSeconds: 10,
  },
  tempo: {
    probe: {
      kind: 'sidecar',
      reason:
        'the 2.10 image is distroless/static (no shell, wget or curl; `tempo -health` arrives in 3.0); Kubernetes probes :3200/ready over HTTP',
    },
    startPeriodSeconds: 30,
  },
  loki: { probe: wget, startPeriodSeconds: 60 },
  prometheus: { probe: wget, startPeriodSeconds: 30 },
  grafana: {
    probe: wget,
    startPeriodSeconds: 60,
    publish: { http: { variable: 'GRAFANA_PORT', default: 3000 } },
  },
  postgres: {
    probe: {
      kind: 'command',
      test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', 'obslab', '-d', 'obslab'],
    },
    startPeriodSeconds: 30,
  },
};

/** Where user-facing ports are published; loopback unless the operator says otherwise. */
export const bindAddress = { variable: 'LAB_BIND_ADDRESS', default: '127.0.0.1' } as const;
