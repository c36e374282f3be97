import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-34';
import { type Construct } from 'constructs';
import { findWorkspaceRoot, workspaceStack, type ComponentName } from '@obslab/stack';
import { Frontend } from './components/frontend.construct.js';
import { Grafana } from './components/grafana.construct.js';
import { Loki } from './components/loki.construct.js';
import { OtelCollector } from './components/otel-collector.construct.js';
import { Postgres } from './components/postgres.construct.js';
import { Prometheus } from './components/prometheus.construct.js';
import { StackComponent } from './components/stack-component.construct.js';
import { TaskApi } from './components/task-api.construct.js';
import { Tempo } from './components/tempo.construct.js';
import { type LabChartProps, resolveLabProps, type ResolvedLabProps } from './lab.props.js';
import { LabNetworkPolicies } from './network-policies.construct.js';
import { runningComponents } from './running-components.js';

/** Pod security labels of the lab's namespace: restricted, enforced, audited and warned. */
export const podSecurityLabels = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;

/**
 * The whole lab in one namespace: the namespace (restricted pod security), every component,
 * network policies (default deny plus the lab's flows) and an Ingress with TLS for the app and
 * Grafana. Optional components turned off (`components`) are left out with their flows and host.
 * Secrets are referenced, never created: see the README for the `kubectl create secret` lines.
 */
export class LabChart extends Chart {
  /** The props with every default applied. */
  public readonly lab: ResolvedLabProps;
  /** The components this chart deploys (without those turned off). */
  public readonly components: readonly ComponentName[];

  constructor(scope: Construct, id: string, props: LabChartProps = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    const workspaceRoot = props.workspaceRoot ?? findWorkspaceRoot();
    const lab = resolveLabProps(props, props.stack ?? workspaceStack(workspaceRoot), workspaceRoot);
    this.lab = lab;
    const namespace = lab.namespace;
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: { name: namespace, labels: { ...podSecurityLabels, 'app.kubernetes.io/part-of': 'obslab' } },
    });

    const on = lab.enabled;
    new OtelCollector(this, 'otel-collector', { lab });
    if (on.tempo) new Tempo(this, 'tempo', { lab });
    if (on.loki) new Loki(this, 'loki', { lab });
    if (on.prometheus) new Prometheus(this, 'prometheus', { lab });
    if (on.grafana) new Grafana(this, 'grafana', { lab });
    if (lab.database === 'postgres') new Postgres(this, 'postgres', { lab });
    new TaskApi(this, 'task-api', { lab });
    if (on.frontend) new Frontend(this, 'frontend', { lab });
    this.components = runningComponents(lab);
    // Every other running component is what the stack says it is.
    for (const component of this.components) {
      if (!this.node.tryFindChild(component)) new StackComponent(this, component, { lab, component });
    }

    new LabNetworkPolicies(this, 'network-policies', { lab, components: this.components });
    // One rule (and TLS host) per user-facing port of a running component; no Ingress when none runs.
    const hostOf: Partial<Record<ComponentName, string>> = {
      frontend: lab.hosts.app,
      grafana: lab.hosts.grafana,
    };
    const routes = lab.stack.components
      .filter((c) => this.components.includes(c.name))
      .flatMap((c) =>
        c.ports
          .filter((port) => port.userFacing)
          .map((port) => {
            const host = hostOf[c.name];
            if (!host)
              throw new Error(
                `LabChart: ${c.name}'s port ${port.name} is user-facing but has no Ingress host; add one to LabHosts`,
              );
            return { host, service: c.name, port: port.containerPort };
          }),
      );
    if (routes.length === 0) return;
    new k8s.KubeIngress(this, 'ingress', {
      metadata: {
        name: 'obslab',
        namespace,
        labels: {
          'app.kubernetes.io/part-of': 'obslab',
          'app.kubernetes.io/instance': namespace,
          'app.kubernetes.io/managed-by': 'cdk8s',
        },
      },
      spec: {
        ingressClassName: lab.ingressClassName,
        tls: [{ hosts: routes.map((r) => r.host), secretName: lab.tlsSecretName }],
        rules: routes.map(({ host, service, port }) => ({
          host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: service, port: { number: port } } },
              },
            ],
          },
        })),
      },
    });
  }
}

/** A Kubernetes object as synthesized. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

/** Pure: the lab's manifests for `props`, in apply order (namespace first), without writing files. */
export function synthLab(props: LabChartProps = {}): Manifest[] {
  const chart = new LabChart(new App({ outdir: '.' }), 'lab', props);
  return sortForApply(chart.toJson() as Manifest[]);
}

const kindOrder = [
  'Namespace',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Service',
  'Deployment',
  'StatefulSet',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'Ingress',
];

/** Stable apply order: by kind (dependencies first), then by name. */
export function sortForApply(manifests: readonly Manifest[]): Manifest[] {
  const rank = (m: Manifest) => {
    const index = kindOrder.indexOf(m.kind);
    if (index < 0) throw new Error(`sortForApply: no apply order for kind ${m.kind}; add it to kindOrder`);
    return index;
  };
  return [...manifests].sort((a, b) => rank(a) - rank(b) || a.metadata.name.localeCompare(b.metadata.name));
}
