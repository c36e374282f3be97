import { type ComponentName } from '@obslab/stack';
import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { type ResolvedLabProps } from './lab.props.js';
import { componentLabels, selectorLabels } from './workload.js';

/** One allowed connection between two components of the lab. */
export interface LabFlow {
  readonly from: ComponentName;
  readonly to: ComponentName;
  readonly port: number;
  /** Why the lab needs it. */
  readonly reason: string;
}

/** Exactly the connections the lab needs; everything else is denied. */
export function labFlows(lab: ResolvedLabProps): LabFlow[] {
  const flows: LabFlow[] = [
    { from: 'frontend', to: 'task-api', port: 3000, reason: 'nginx proxies /api' },
    { from: 'frontend', to: 'otel-collector', port: 4318, reason: 'nginx proxies browser spans (/otlp)' },
    { from: 'task-api', to: 'otel-collector', port: 4318, reason: 'OTLP traces and logs' },
    { from: 'otel-collector', to: 'tempo', port: 4317, reason: 'traces over OTLP/gRPC' },
    { from: 'otel-collector', to: 'loki', port: 3100, reason: 'logs over OTLP/HTTP' },
    { from: 'tempo', to: 'prometheus', port: 9090, reason: 'metrics-generator remote write' },
    { from: 'prometheus', to: 'task-api', port: 3000, reason: 'scrape /metrics' },
    { from: 'prometheus', to: 'otel-collector', port: 8888, reason: 'scrape the collector' },
    { from: 'prometheus', to: 'tempo', port: 3200, reason: 'scrape Tempo' },
    { from: 'prometheus', to: 'loki', port: 3100, reason: 'scrape Loki' },
    { from: 'prometheus', to: 'grafana', port: 3000, reason: 'scrape Grafana' },
    { from: 'grafana', to: 'prometheus', port: 9090, reason: 'metrics datasource' },
    { from: 'grafana', to: 'tempo', port: 3200, reason: 'traces datasource' },
    { from: 'grafana', to: 'loki', port: 3100, reason: 'logs datasource' },
  ];
  if (lab.database === 'postgres')
    flows.push({ from: 'task-api', to: 'postgres', port: 5432, reason: 'the database' });
  return flows;
}

/** Props of {@link LabNetworkPolicies}. */
export interface LabNetworkPoliciesProps {
  readonly lab: ResolvedLabProps;
  /** Components deployed (postgres only with the postgres database). */
  readonly components: readonly ComponentName[];
  /** Components the ingress controller forwards to, and on which port. */
  readonly ingressTargets: Readonly<Partial<Record<ComponentName, number>>>;
}

const tcp = (port: number): k8s.NetworkPolicyPort => ({
  protocol: 'TCP',
  port: k8s.IntOrString.fromNumber(port),
});

/**
 * Default deny in both directions, DNS to kube-system for every pod, then one policy per component
 * that opens exactly its flows: ingress from its clients, egress to its servers.
 */
export class LabNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: LabNetworkPoliciesProps) {
    super(scope, id);
    const { lab } = props;
    const namespace = lab.namespace;
    const labels = {
      'app.kubernetes.io/part-of': 'obslab',
      'app.kubernetes.io/instance': namespace,
      'app.kubernetes.io/managed-by': 'cdk8s',
    };
    const pods = (component: ComponentName): k8s.NetworkPolicyPeer => ({
      podSelector: { matchLabels: selectorLabels(component) },
    });
    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: { name: 'default-deny', namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'dns', {
      metadata: { name: 'allow-dns', namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
            ports: [
              { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
              { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
            ],
          },
        ],
      },
    });
    const flows = labFlows(lab).filter(
      (f) => props.components.includes(f.from) && props.components.includes(f.to),
    );
    for (const component of props.components) {
      const ingress: k8s.NetworkPolicyIngressRule[] = flows
        .filter((f) => f.to === component)
        .map((f) => ({ from: [pods(f.from)], ports: [tcp(f.port)] }));
      const ingressPort = props.ingressTargets[component];
      if (ingressPort !== undefined) {
        ingress.push({
          from: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': lab.ingressControllerNamespace },
              },
            },
          ],
          ports: [tcp(ingressPort)],
        });
      }
      const egress: k8s.NetworkPolicyEgressRule[] = flows
        .filter((f) => f.from === component)
        .map((f) => ({ to: [pods(f.to)], ports: [tcp(f.port)] }));
      if (component === 'prometheus') {
        // Pod discovery watches the API server, which is not a pod: an ipBlock on its endpoints.
        egress.push({
          to: lab.apiServerEgress.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: lab.apiServerEgress.ports.map(tcp),
        });
      }
      if (ingress.length === 0 && egress.length === 0) continue;
      new k8s.KubeNetworkPolicy(this, `allow-${component}`, {
        metadata: { name: `allow-${component}`, namespace, labels: componentLabels(component, lab) },
        spec: {
          podSelector: { matchLabels: selectorLabels(component) },
          policyTypes: [...(ingress.length > 0 ? ['Ingress'] : []), ...(egress.length > 0 ? ['Egress'] : [])],
          ...(ingress.length > 0 ? { ingress } : {}),
          ...(egress.length > 0 ? { egress } : {}),
        },
      });
    }
  }
}
