// The operator's own manifests, synthesized with cdk8s into operator/dist/: the CRD, a namespace
// with restricted pod security, a ServiceAccount, least-privilege RBAC (only the kinds and verbs it
// manages, no wildcard, no Secret access), a Deployment with the restricted security context and
// CPU and memory limits, and a NetworkPolicy (DNS and the API server out, the probe port in).
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { k8s } from 'cdk8s-plus-34';
import { type Construct } from 'constructs';
import { labApi } from '../lab/lab.schema.js';
import { labCrd } from '../lab/lab.crd.js';
import { childResources } from '../lab/lab.resources.js';

/** The image operator/Dockerfile is tagged with (`lab images build operator`). */
export const defaultOperatorImage = 'obslab/operator:0.1.0';

/** Options of {@link OperatorChart}. */
export interface OperatorManifestOptions {
  /** Namespace of the operator. Default: `obslab-system`. */
  readonly namespace?: string;
  /** The operator's image. Default: `obslab/operator:0.1.0` (operator/Dockerfile). */
  readonly image?: string;
  /** Replicas; more than one wait on the leader lease. Default: 2. */
  readonly replicas?: number;
  /**
   * Where the operator's pods may connect to the API server (its NetworkPolicy's egress). Default:
   * any address on ports 443 and 6443, as the lab's Prometheus (charts-ts `apiServerEgress`).
   */
  readonly apiServerEgress?: { readonly cidrs: readonly string[]; readonly ports: readonly number[] };
}

/**
 * Node flags of the operator's container, also used by the benchmark. The process waits on watches
 * far more than it computes: V8's lite mode (no optimizing compiler) and a small heap keep it
 * under 150 MB RSS with 70 labs, and its passes are no slower (see the benchmark).
 */
export const operatorNodeFlags: readonly string[] = [
  '--max-old-space-size=96',
  '--max-semi-space-size=1',
  '--lite-mode',
];

const labels = { 'app.kubernetes.io/name': 'obslab-operator', 'app.kubernetes.io/part-of': 'obslab' };
const verbsForChildren = ['get', 'list', 'watch', 'create', 'patch', 'delete'];

/** The ClusterRole's rules: one per API group of the children, plus the labs, events and pods. */
export function operatorClusterRules(): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
  const byGroup = new Map<string, string[]>();
  for (const resource of childResources) {
    byGroup.set(resource.group, [...(byGroup.get(resource.group) ?? []), resource.plural]);
  }
  return [
    {
      apiGroups: [labApi.group],
      resources: [labApi.plural],
      verbs: ['get', 'list', 'watch', 'patch', 'delete'],
    },
    { apiGroups: [labApi.group], resources: [`${labApi.plural}/status`], verbs: ['get', 'patch'] },
    // blockOwnerDeletion on the children's owner references needs update on the owner's finalizers.
    { apiGroups: [labApi.group], resources: [`${labApi.plural}/finalizers`], verbs: ['update'] },
    ...[...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources, verbs: verbsForChildren })),
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    // Held (read-only) so the operator may create Prometheus's pod-discovery Role: RBAC lets a
    // subject grant only permissions it has, and this is narrower than the escalate verb.
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  ];
}

export class OperatorChart extends Chart {
  constructor(scope: Construct, id: string, options: OperatorManifestOptions = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    const namespace = options.namespace ?? 'obslab-system';
    const name = 'obslab-operator';
    new ApiObject(this, 'crd', labCrd() as never);
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: namespace,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name, namespace, labels },
      automountServiceAccountToken: true,
    });
    new k8s.KubeClusterRole(this, 'cluster-role', {
      metadata: { name, labels },
      rules: operatorClusterRules(),
    });
    new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    });
    new k8s.KubeRole(this, 'leader-election-role', {
      metadata: { name: `${name}-leader-election`, namespace, labels },
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: [name],
          verbs: ['get', 'update'],
        },
      ],
    });
    new k8s.KubeRoleBinding(this, 'leader-election-role-binding', {
      metadata: { name: `${name}-leader-election`, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${name}-leader-election` },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    });
    const probePort = 8080;
    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, namespace, labels },
      spec: {
        replicas: options.replicas ?? 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 10001,
              runAsGroup: 10001,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'operator',
                image: options.image ?? defaultOperatorImage,
                command: ['node', ...operatorNodeFlags, '/app/tools/lab/bin/lab.js'],
                args: [
                  'operator',
                  'run',
                  '--leader-elect',
                  `--leader-election-namespace=${namespace}`,
                  `--probes-address=0.0.0.0:${probePort}`,
                ],
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                ports: [{ name: 'http-metrics', containerPort: probePort }],
                livenessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromNumber(probePort) } },
                readinessProbe: { httpGet: { path: '/readyz', port: k8s.IntOrString.fromNumber(probePort) } },
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('128Mi') },
                  limits: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('256Mi') },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    });
    new k8s.KubeService(this, 'metrics-service', {
      metadata: { name: `${name}-metrics`, namespace, labels },
      spec: {
        selector: labels,
        ports: [{ name: 'http-metrics', port: probePort, targetPort: k8s.IntOrString.fromNumber(probePort) }],
      },
    });
    // The operator talks to the API server and DNS only, and is reached on its metrics/probe port.
    const apiServer = options.apiServerEgress ?? { cidrs: ['0.0.0.0/0'], ports: [443, 6443] };
    if (apiServer.cidrs.length === 0 || apiServer.ports.length === 0)
      throw new Error('OperatorChart: apiServerEgress needs at least one CIDR and one port');
    const tcp = (port: number): k8s.NetworkPolicyPort => ({
      protocol: 'TCP',
      port: k8s.IntOrString.fromNumber(port),
    });
    new k8s.KubeNetworkPolicy(this, 'network-policy', {
      metadata: { name, namespace, labels },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [tcp(probePort)] }],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
            ports: [
              { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
              { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
            ],
          },
          { to: apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: apiServer.ports.map(tcp) },
        ],
      },
    });
  }
}

/** The operator's manifests (CRD first), as objects. */
export function operatorManifests(options: OperatorManifestOptions = {}): Record<string, unknown>[] {
  return new OperatorChart(new App({ outdir: '.' }), 'operator', options).toJson() as Record<
    string,
    unknown
  >[];
}

/** The files of operator/dist/, keyed by file name. */
export function operatorDistFiles(options: OperatorManifestOptions = {}): Record<string, string> {
  const manifests = operatorManifests(options);
  const header = (what: string) =>
    `# Generated by \`npx nx run operator:synth\` (operator/src/manifests, from the ObservabilityLab schema): do not edit.\n# ${what}\n`;
  const crd = manifests.filter((m) => m['kind'] === 'CustomResourceDefinition');
  const rest = manifests.filter((m) => m['kind'] !== 'CustomResourceDefinition');
  return {
    '00-crd.k8s.yaml':
      header('The ObservabilityLab CustomResourceDefinition (lab.obslab.dev/v1alpha1).') +
      Yaml.stringify(...crd),
    '10-operator.k8s.yaml':
      header(
        'The operator: namespace, ServiceAccount, least-privilege RBAC, Deployment (2 replicas, leader election).',
      ) + Yaml.stringify(...rest),
  };
}
