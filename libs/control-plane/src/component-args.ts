import type { ControlPlaneCertificates } from './certificates.js';

/** Admission plugins the API server must always run (PodSecurity enforces the pod-security labels). */
export const requiredAdmissionPlugins = ['PodSecurity'] as const;

/** Controllers kube-controller-manager runs unless told otherwise. */
export const defaultControllers = [
  'garbage-collector-controller',
  'namespace-controller',
  'deployment-controller',
  'replicaset-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
] as const;

/** Service IP range of the test cluster (its first address is the `kubernetes` service). */
export const serviceClusterIpRange = '10.96.0.0/16'; // room for the operator benchmark's 70 labs

/** The cluster DNS Service's address: kubeadm's, which the lab's manifests assume by default. */
export const clusterDnsServiceIp = '10.96.0.10';

/** Admission plugins to turn on or off in addition to the API server's defaults. */
export interface AdmissionOptions {
  readonly enable?: readonly string[];
  readonly disable?: readonly string[];
}

/** `--feature-gates` value: `A=true,B=false`, sorted; undefined when empty. */
export function featureGatesFlag(gates: Readonly<Record<string, boolean>> = {}): string | undefined {
  const entries = Object.entries(gates).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([name, on]) => `${name}=${on}`).join(',') : undefined;
}

/** The enable/disable admission flags, with PodSecurity always enabled. Throws if asked to disable it. */
export function admissionFlags(admission: AdmissionOptions = {}): string[] {
  const disable = [...new Set(admission.disable ?? [])];
  const required = disable.filter((plugin) =>
    (requiredAdmissionPlugins as readonly string[]).includes(plugin),
  );
  if (required.length) {
    throw new Error(
      `admission.disable lists ${required.join(', ')}, which this control plane always runs (the pod-security tests depend on it); remove it from admission.disable`,
    );
  }
  const clash = disable.filter((plugin) => admission.enable?.includes(plugin));
  if (clash.length) throw new Error(`admission plugins both enabled and disabled: ${clash.join(', ')}`);
  const enable = [...new Set([...requiredAdmissionPlugins, ...(admission.enable ?? [])])];
  return [
    `--enable-admission-plugins=${enable.join(',')}`,
    ...(disable.length ? [`--disable-admission-plugins=${disable.join(',')}`] : []),
  ];
}

/** Arguments of etcd: one member on loopback, no fsync (test data is thrown away). */
export function etcdArgs(options: { dataDir: string; clientPort: number; peerPort: number }): string[] {
  const client = `http://127.0.0.1:${options.clientPort}`;
  const peer = `http://127.0.0.1:${options.peerPort}`;
  return [
    '--name=obslab',
    `--data-dir=${options.dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=obslab=${peer}`,
    '--initial-cluster-state=new',
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

/** Arguments of kube-apiserver on 127.0.0.1 with client-certificate authentication and Node,RBAC authorization. */
export function kubeApiserverArgs(options: {
  certs: ControlPlaneCertificates;
  etcdPort: number;
  securePort: number;
  admission?: AdmissionOptions;
  featureGates?: Readonly<Record<string, boolean>>;
  /** Where it listens and what it advertises (the `kubernetes` Service's endpoint). Default: 127.0.0.1. */
  bindAddress?: string;
  /** Client certificate it shows kubelets (logs, exec, port-forward). Default: none (no real nodes). */
  kubeletClient?: { readonly cert: string; readonly key: string };
}): string[] {
  const { certs } = options;
  const gates = featureGatesFlag(options.featureGates);
  const address = options.bindAddress ?? '127.0.0.1';
  return [
    `--bind-address=${address}`,
    `--advertise-address=${address}`,
    ...(options.kubeletClient
      ? [
          `--kubelet-client-certificate=${options.kubeletClient.cert}`,
          `--kubelet-client-key=${options.kubeletClient.key}`,
          '--kubelet-preferred-address-types=InternalIP',
        ]
      : []),
    `--secure-port=${options.securePort}`,
    `--etcd-servers=http://127.0.0.1:${options.etcdPort}`,
    `--tls-cert-file=${certs.servingCert}`,
    `--tls-private-key-file=${certs.servingKey}`,
    `--client-ca-file=${certs.caCert}`,
    `--service-account-key-file=${certs.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${certs.serviceAccountKey}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-cluster-ip-range=${serviceClusterIpRange}`,
    '--authorization-mode=Node,RBAC',
    ...admissionFlags(options.admission),
    // Like a real cluster: privileged pods are turned away by PodSecurity, not by this switch.
    '--allow-privileged=true',
    '--profiling=false',
    ...(gates ? [`--feature-gates=${gates}`] : []),
  ];
}

/** The kubeconfig and loopback serving flags that kube-controller-manager and kube-scheduler share. */
function loopbackComponentArgs(options: {
  kubeconfig: string;
  securePort: number;
  certDir: string;
}): string[] {
  return [
    `--kubeconfig=${options.kubeconfig}`,
    `--authentication-kubeconfig=${options.kubeconfig}`,
    `--authorization-kubeconfig=${options.kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${options.securePort}`,
    `--cert-dir=${options.certDir}`,
  ];
}

/** Arguments of kube-controller-manager: only `controllers`, no leader election, serving on loopback. */
export function kubeControllerManagerArgs(options: {
  kubeconfig: string;
  certs: ControlPlaneCertificates;
  securePort: number;
  certDir: string;
  controllers?: readonly string[];
  featureGates?: Readonly<Record<string, boolean>>;
}): string[] {
  const gates = featureGatesFlag(options.featureGates);
  return [
    ...loopbackComponentArgs(options),
    `--controllers=${(options.controllers ?? defaultControllers).join(',')}`,
    '--leader-elect=false',
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${options.certs.serviceAccountKey}`,
    `--root-ca-file=${options.certs.caCert}`,
    `--service-cluster-ip-range=${serviceClusterIpRange}`,
    '--profiling=false',
    ...(gates ? [`--feature-gates=${gates}`] : []),
  ];
}

/** Extra controllers fake nodes need: the node lifecycle controller lifts the not-ready taint once kwok reports Ready. */
export const fakeNodeControllers = ['node-lifecycle-controller'] as const;

/** Annotation that marks a node as kwok's to simulate. */
export const fakeNodeAnnotation = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

/** Arguments of kube-scheduler: no leader election, serving on loopback. */
export function kubeSchedulerArgs(options: {
  kubeconfig: string;
  securePort: number;
  certDir: string;
  featureGates?: Readonly<Record<string, boolean>>;
}): string[] {
  const gates = featureGatesFlag(options.featureGates);
  return [
    ...loopbackComponentArgs(options),
    '--leader-elect=false',
    '--profiling=false',
    ...(gates ? [`--feature-gates=${gates}`] : []),
  ];
}

/** Arguments of kwok: simulate the nodes carrying {@link fakeNodeAnnotation} and their pods (pod IPs outside the service range). */
export function kwokArgs(options: { kubeconfig: string; stages: string }): string[] {
  return [
    `--kubeconfig=${options.kubeconfig}`,
    `--config=${options.stages}`,
    '--node-lease-duration-seconds=40',
    `--manage-nodes-with-annotation-selector=${fakeNodeAnnotation.key}=${fakeNodeAnnotation.value}`,
    '--cidr=10.244.0.0/16',
    '--node-ip=127.0.0.1',
  ];
}
