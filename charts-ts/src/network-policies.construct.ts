import { componentOf, connectionsAmong, portOf, type ComponentName } from '@obslab/stack';
import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { type ResolvedLabProps } from './lab.props.js';
import { componentLabels, selectorLabels } from './workload.js';

/** Props of {@link LabNetworkPolicies}. */
export interface LabNetworkPoliciesProps {
  readonly lab: ResolvedLabProps;
  /** Components deployed (postgres only with the postgres database, optional ones when on). */
  readonly components: readonly ComponentName[];
}

const tcp = (port: number): k8s.NetworkPolicyPort => ({
  protocol: 'TCP',
  port: k8s.IntOrString.fromNumber(port),
});

/**
 * Default deny in both directions, DNS to kube-system for every pod, then one policy per component
 * that opens exactly its connections in the stack (between deployed components): ingress from its
 * clients, egress to its servers, and ingress from the ingress controller to its user-facing ports.
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
    const { stack } = lab;
    const flows = connectionsAmong(stack, props.components).map((c) => ({
      ...c,
      portNumber: portOf(componentOf(stack, c.to), c.port).containerPort,
    }));
    for (const component of props.components) {
      const ingress: k8s.NetworkPolicyIngressRule[] = flows
        .filter((f) => f.to === component)
        .map((f) => ({ from: [pods(f.from)], ports: [tcp(f.portNumber)] }));
      for (const port of componentOf(stack, component).ports.filter((p) => p.userFacing)) {
        ingress.push({
          from: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': lab.ingressControllerNamespace },
              },
            },
          ],
          ports: [tcp(port.containerPort)],
        });
      }
      const egress: k8s.NetworkPolicyEgressRule[] = flows
        .filter((f) => f.from === component)
        .map((f) => ({ to: [pods(f.to)], ports: [tcp(f.portNumber)] }));
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
