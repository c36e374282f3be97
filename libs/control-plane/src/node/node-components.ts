/**
 * Configuration of the node's programs: kubelet, kube-proxy, CoreDNS and the NetworkPolicy agent.
 * Pure functions: the files they return are written by real-node.ts.
 */
import type { NodeNetwork } from './node-host.js';

/** kubelet's KubeletConfiguration (JSON is YAML). */
export function kubeletConfig(options: {
  readonly network: NodeNetwork;
  readonly port: number;
  readonly healthzPort: number;
  readonly clientCaFile: string;
  readonly containerdSocket: string;
  readonly clusterDnsIp: string;
  readonly clusterDomain: string;
  readonly resolvConf: string;
  /** The cgroup pods go under: the node's own, so teardown touches no other kubelet's pods. */
  readonly cgroupRoot: string;
}): string {
  return JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: options.network.gateway,
      port: options.port,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: options.healthzPort,
      // Only the API server (a client certificate of this CA) may reach the kubelet, authorized by it.
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: options.clientCaFile },
      },
      authorization: { mode: 'Webhook' },
      // No systemd on this machine: cgroupfs, as containerd's runc is configured.
      cgroupDriver: 'cgroupfs',
      cgroupRoot: options.cgroupRoot,
      containerRuntimeEndpoint: `unix://${options.containerdSocket}`,
      clusterDNS: [options.clusterDnsIp],
      clusterDomain: options.clusterDomain,
      resolvConf: options.resolvConf,
      // Images are imported, never pulled: keep them however full the disk is.
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '2%', 'imagefs.available': '2%' },
      serializeImagePulls: false,
      rotateCertificates: false,
      serverTLSBootstrap: false,
      failSwapOn: true,
      protectKernelDefaults: false,
      maxPods: 60,
      shutdownGracePeriod: '0s',
      logging: { format: 'text' },
    },
    null,
    2,
  );
}

/** kube-proxy's KubeProxyConfiguration: nftables mode, health and metrics on loopback, no conntrack tuning. */
export function kubeProxyConfig(options: {
  readonly network: NodeNetwork;
  readonly kubeconfig: string;
  readonly nodeName: string;
  readonly healthzPort: number;
  readonly metricsPort: number;
}): string {
  return JSON.stringify(
    {
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      mode: 'nftables',
      clientConnection: { kubeconfig: options.kubeconfig },
      hostnameOverride: options.nodeName,
      bindAddress: options.network.gateway,
      clusterCIDR: options.network.podCidr,
      healthzBindAddress: `127.0.0.1:${options.healthzPort}`,
      metricsBindAddress: `127.0.0.1:${options.metricsPort}`,
      nodePortAddresses: [`${options.network.gateway}/32`],
      // Leave the machine's conntrack settings alone.
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    },
    null,
    2,
  );
}

/** CoreDNS's image: the binary built from its Go module, alone in the image (imported, never pulled). */
export const corednsImage = 'obslab-local/coredns:node';

/**
 * CoreDNS's Corefile: the cluster zone from the API server (in-cluster credentials of its
 * ServiceAccount); every other name is NXDOMAIN (nothing is forwarded off this machine).
 */
export function corefile(clusterDomain: string): string {
  return `${clusterDomain}:53 in-addr.arpa:53 {
    errors
    health :8080
    ready :8181
    kubernetes ${clusterDomain} in-addr.arpa {
        pods insecure
        fallthrough in-addr.arpa
    }
    cache 30
    loop
}
.:53 {
    errors
    template ANY ANY {
        rcode NXDOMAIN
    }
}
`;
}

const managedBy = { 'app.kubernetes.io/managed-by': 'obslab-control-plane' };
const role = (name: string, rules: object[]) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels: managedBy },
  rules,
});
const binding = (name: string, subject: object) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name, labels: managedBy },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
  subjects: [subject],
});
const listWatch = ['list', 'watch'];

/**
 * What the API server may do on kubelets (logs, exec, port-forward, metrics): the bootstrap role
 * `system:kubelet-api-admin` for its client certificate's user, as kubeadm binds it.
 */
export function apiserverKubeletClientRbac(user: string): object[] {
  return [
    {
      ...binding('obslab:apiserver-kubelet-client', {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'User',
        name: user,
      }),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'system:kubelet-api-admin',
      },
    },
  ];
}

/** RBAC of the NetworkPolicy agent, a node process (upstream kube-network-policies' role). */
export function networkPolicyAgentRbac(user: string): object[] {
  return [
    role(user, [
      { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: listWatch },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', ...listWatch] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: listWatch },
    ]),
    binding(user, { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }),
  ];
}

/**
 * Cluster DNS as kubeadm runs it: CoreDNS pods in kube-system (labels `k8s-app: kube-dns`, which
 * NetworkPolicies allowing DNS select) behind the `kube-dns` Service at the cluster DNS address.
 * Restricted pod security: non-root, read-only root, port 53 through the namespaced
 * `ip_unprivileged_port_start` sysctl instead of a capability.
 */
export function clusterDnsObjects(options: {
  readonly serviceIp: string;
  readonly clusterDomain: string;
}): object[] {
  const labels = { 'k8s-app': 'kube-dns', ...managedBy };
  const ns = 'kube-system';
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: ns, labels } },
    role('system:coredns', [
      { apiGroups: [''], resources: ['services', 'pods', 'namespaces'], verbs: listWatch },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: listWatch },
    ]),
    binding('system:coredns', { kind: 'ServiceAccount', name: 'coredns', namespace: ns }),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: ns, labels },
      data: { Corefile: corefile(options.clusterDomain) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
              sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '53' }],
            },
            containers: [
              {
                name: 'coredns',
                image: corednsImage,
                imagePullPolicy: 'Never',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 },
                resources: { requests: { cpu: '50m', memory: '40Mi' }, limits: { memory: '170Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: ns, labels },
      spec: {
        clusterIP: options.serviceIp,
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
        ],
      },
    },
  ];
}

/**
 * Pre-created PersistentVolumes (hostPath directories under the node's folder) for claims without
 * a StorageClass: the statically provisioned storage a small lab cluster uses. Retain, so a claim
 * kept on purpose (retainData) keeps its data.
 */
export function localVolumes(options: {
  readonly dir: string;
  readonly count: number;
  readonly size: string;
}): object[] {
  return Array.from({ length: options.count }, (_, index) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: `obslab-local-${String(index + 1).padStart(2, '0')}`,
      labels: { 'app.kubernetes.io/managed-by': 'obslab-control-plane' },
    },
    spec: {
      capacity: { storage: options.size },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      volumeMode: 'Filesystem',
      hostPath: {
        path: `${options.dir}/pv-${String(index + 1).padStart(2, '0')}`,
        type: 'DirectoryOrCreate',
      },
    },
  }));
}
