// The Kubernetes rendering of one stack component: its ConfigMaps (config-volumes.ts),
// PersistentVolumeClaim or volumeClaimTemplate, Deployment or StatefulSet (restricted pod security,
// requests and limits, probes, config hash, environment from workload-env.ts) and Service.
// Component constructs (components/*.construct.ts) call it with what only they know.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { portOf, type Component, type HealthEndpoint } from '@obslab/stack';
import { k8s } from 'cdk8s-plus-34';
import { type Construct } from 'constructs';
import { configVolumes } from './config-volumes.js';
import { type ResolvedLabProps, type StatefulComponent } from './lab.props.js';
import { envVar, mountedSecrets, secretsDir } from './workload-env.js';

/** Annotation on pod templates: a hash of the component's ConfigMaps, so a config change rolls the pods. */
export const configHashAnnotation = 'obslab.dev/config-hash';

/** The recommended labels every object of a component carries. */
export function componentLabels(component: string, lab: ResolvedLabProps): Record<string, string> {
  return {
    ...selectorLabels(component),
    'app.kubernetes.io/instance': lab.namespace,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}

/** The labels that select a component's pods. */
export function selectorLabels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/part-of': 'obslab' };
}

/** A probe target: the stack's health endpoint, or another one the component offers (port by name). */
export type ProbeTarget = HealthEndpoint;

/** Probes of a container; timings suit the lab's start times. */
export interface WorkloadProbes {
  readonly liveness: ProbeTarget;
  readonly readiness: ProbeTarget;
  /** Seconds the container may take to start before liveness counts. */
  readonly startupSeconds: number;
}

/** Options of {@link renderWorkload}. */
export interface WorkloadOptions {
  readonly component: Component;
  readonly lab: ResolvedLabProps;
  readonly replicas: number;
  readonly probes: WorkloadProbes;
  /** Environment that differs on Kubernetes (secrets, connection variables), by variable name. */
  readonly envOverrides?: Readonly<Record<string, k8s.EnvVar>>;
  /** Container args instead of the stack's. */
  readonly args?: readonly string[];
  /** File contents instead of the repository's, by workspace-relative source path. */
  readonly configOverrides?: Readonly<Record<string, string>>;
  /** Persistent volumes: a PVC per volume (Deployment), volumeClaimTemplates (StatefulSet), or emptyDir (state not kept). */
  readonly storage: 'pvc' | 'claim-template' | 'ephemeral';
  /** The pod's ServiceAccount, when it talks to the API server. Default: none (the namespace's default, token not mounted). */
  readonly serviceAccountName?: string;
  /** How a pod drains on deletion. Default: none (Kubernetes' 30 s grace period, no preStop). */
  readonly drain?: WorkloadDrain;
}

/**
 * A pod's drain: a preStop sleep while the endpoints controller and proxies stop routing to it
 * (the process only then gets SIGTERM), and a grace period that covers it and the process's own
 * shutdown timeout.
 */
export interface WorkloadDrain {
  readonly preStopSleepSeconds: number;
  readonly terminationGracePeriodSeconds: number;
}

/** What other components need to know about a rendered workload. */
export interface RenderedWorkload {
  /** The Service's name, resolvable as a short name inside the namespace. */
  readonly serviceName: string;
  /** The Service's fully qualified DNS name. */
  readonly serviceHost: string;
}

const mebibytes = (mib: number) => k8s.Quantity.fromString(`${mib}Mi`);
const millicores = (m: number) => k8s.Quantity.fromString(`${Math.round(m)}m`);

function probe(
  component: Component,
  target: ProbeTarget,
  timing: { periodSeconds: number; failureThreshold: number },
): k8s.Probe {
  const handler =
    target.kind === 'http'
      ? {
          httpGet: {
            path: target.path,
            port: k8s.IntOrString.fromNumber(portOf(component, target.port).containerPort),
          },
        }
      : { exec: { command: [...target.command] } };
  return { ...handler, ...timing, timeoutSeconds: 5 };
}

/** Renders the component into `scope`: ConfigMaps, storage, the workload and its Service. */
export function renderWorkload(scope: Construct, options: WorkloadOptions): RenderedWorkload {
  const { component, lab } = options;
  const namespace = lab.namespace;
  const labels = componentLabels(component.name, lab);
  const [uid, gid] = component.security.user.split(':').map(Number) as [number, number];

  const configs = configVolumes(component, lab, options.configOverrides);
  for (const config of configs) {
    new k8s.KubeConfigMap(scope, `config-${config.name}`, {
      metadata: { name: config.name, namespace, labels },
      data: config.data,
    });
  }
  const hash = createHash('sha256');
  for (const config of configs) {
    for (const key of Object.keys(config.data).sort())
      hash.update(`${config.name}/${key}\0${config.data[key]}\0`);
  }

  const claimTemplates: k8s.KubePersistentVolumeClaimProps[] = [];
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  for (const volume of component.volumes) {
    const size = lab.storageSizes[component.name as StatefulComponent];
    const claim = {
      accessModes: ['ReadWriteOnce'],
      ...(lab.storageClassName ? { storageClassName: lab.storageClassName } : {}),
      resources: { requests: { storage: k8s.Quantity.fromString(size) } },
    };
    mounts.push({ name: 'data', mountPath: volume.target });
    switch (options.storage) {
      case 'pvc':
        new k8s.KubePersistentVolumeClaim(scope, `pvc-${volume.name}`, {
          metadata: { name: volume.name, namespace, labels },
          spec: claim,
        });
        volumes.push({ name: 'data', persistentVolumeClaim: { claimName: volume.name } });
        break;
      case 'claim-template':
        claimTemplates.push({ metadata: { name: 'data', labels }, spec: claim });
        break;
      case 'ephemeral':
        volumes.push({ name: 'data', emptyDir: {} });
        break;
    }
  }
  component.scratch.forEach((path, index) => {
    const name = `scratch-${index}`;
    volumes.push({ name, emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } });
    mounts.push({ name, mountPath: path });
  });
  for (const config of configs) {
    volumes.push({ name: config.name, configMap: { name: config.name, items: config.items } });
    if (config.mount.kind === 'file') {
      mounts.push({
        name: config.name,
        mountPath: config.mount.target,
        subPath: basename(config.mount.target),
        readOnly: true,
      });
    } else {
      mounts.push({ name: config.name, mountPath: config.mount.target, readOnly: true });
    }
  }

  const env = Object.entries(component.env).map(
    ([name, value]) => options.envOverrides?.[name] ?? envVar(name, value, component, lab),
  );
  for (const [name, value] of Object.entries(options.envOverrides ?? {})) {
    if (!(name in component.env)) env.push(value);
  }
  for (const secret of mountedSecrets(env)) {
    const name = `secret-${secret}`;
    // 0440 with the pod's fsGroup: readable by the container's group, by nobody else.
    volumes.push({ name, secret: { secretName: secret, defaultMode: 0o440 } });
    mounts.push({ name, mountPath: `${secretsDir}/${secret}`, readOnly: true });
  }
  const args = options.args ?? component.args;
  const { memoryMiB, cpus } = component.resources;
  const container: k8s.Container = {
    name: component.name,
    image: lab.images[component.name],
    imagePullPolicy: 'IfNotPresent',
    ...(args.length > 0 ? { args: [...args] } : {}),
    ports: component.ports.map((port) => ({
      name: port.name,
      containerPort: port.containerPort,
      protocol: 'TCP',
    })),
    ...(env.length > 0 ? { env } : {}),
    resources: {
      requests: { cpu: millicores(cpus * 250), memory: mebibytes(memoryMiB) },
      limits: { cpu: millicores(cpus * 1000), memory: mebibytes(memoryMiB) },
    },
    startupProbe: probe(component, options.probes.liveness, {
      periodSeconds: 5,
      failureThreshold: Math.ceil(options.probes.startupSeconds / 5),
    }),
    livenessProbe: probe(component, options.probes.liveness, { periodSeconds: 10, failureThreshold: 6 }),
    readinessProbe: probe(component, options.probes.readiness, { periodSeconds: 10, failureThreshold: 3 }),
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: component.security.readOnlyRootFilesystem,
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: gid,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
    ...(options.drain
      ? { lifecycle: { preStop: { sleep: { seconds: options.drain.preStopSleepSeconds } } } }
      : {}),
  };
  const podTemplate: k8s.PodTemplateSpec = {
    metadata: {
      labels,
      annotations: { [configHashAnnotation]: configs.length > 0 ? hash.digest('hex').slice(0, 16) : 'none' },
    },
    spec: {
      ...(options.serviceAccountName
        ? { serviceAccountName: options.serviceAccountName, automountServiceAccountToken: true }
        : { automountServiceAccountToken: false }),
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: gid,
        // Volumes become writable by the container's group (root's group 0 is never used for it).
        fsGroup: gid === 0 ? uid : gid,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [container],
      ...(options.drain
        ? { terminationGracePeriodSeconds: options.drain.terminationGracePeriodSeconds }
        : {}),
      ...(volumes.length > 0 ? { volumes } : {}),
    },
  };
  const selector = { matchLabels: selectorLabels(component.name) };
  const headless = options.storage === 'claim-template';
  if (headless) {
    new k8s.KubeStatefulSet(scope, 'workload', {
      metadata: { name: component.name, namespace, labels },
      spec: {
        replicas: options.replicas,
        serviceName: component.name,
        selector,
        template: podTemplate,
        volumeClaimTemplates: claimTemplates,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      },
    });
  } else {
    // A ReadWriteOnce volume can only follow a pod that has stopped: Recreate, not RollingUpdate.
    const strategy: k8s.DeploymentStrategy =
      options.storage === 'pvc' && component.volumes.length > 0
        ? { type: 'Recreate' }
        : {
            type: 'RollingUpdate',
            rollingUpdate: {
              maxSurge: k8s.IntOrString.fromNumber(1),
              maxUnavailable: k8s.IntOrString.fromNumber(0),
            },
          };
    new k8s.KubeDeployment(scope, 'workload', {
      metadata: { name: component.name, namespace, labels },
      spec: {
        replicas: options.replicas,
        selector,
        strategy,
        revisionHistoryLimit: 3,
        template: podTemplate,
      },
    });
  }
  new k8s.KubeService(scope, 'service', {
    metadata: { name: component.name, namespace, labels },
    spec: {
      ...(headless ? { clusterIp: 'None' } : { type: 'ClusterIP' }),
      selector: selectorLabels(component.name),
      ports: component.ports.map((port) => ({
        name: port.name,
        port: port.containerPort,
        targetPort: k8s.IntOrString.fromString(port.name),
        protocol: 'TCP',
      })),
    },
  });
  if (options.replicas > 1) {
    new k8s.KubePodDisruptionBudget(scope, 'pdb', {
      metadata: { name: component.name, namespace, labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector },
    });
  }
  return {
    serviceName: component.name,
    serviceHost: `${component.name}.${namespace}.svc.${lab.clusterDomain}`,
  };
}
