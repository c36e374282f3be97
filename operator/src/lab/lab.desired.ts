// Desired state: a pure function of the lab. The spec becomes the chart's props, the chart's
// constructs are synthesized in memory (the same code as charts-ts/dist), and every object gets
// the lab's labels, an owner reference and a hash of what was desired.
import { createHash } from 'node:crypto';
import {
  defaultStorageSizes,
  synthLab,
  type ApiServerEgress,
  type LabChartProps,
  type Manifest,
  type StatefulComponent,
} from '@obslab/charts-ts';
import { type Stack } from '@obslab/stack';
import { labApiVersion, parseLabSpec, type LabSpec, type SizePreset } from './lab.schema.js';
import { desiredHashAnnotation, fieldManager, labLabels, type ObservabilityLab } from './lab.types.js';
import { internData } from '../runtime/intern.js';
import { type KubeObject, type OwnerReference } from '../runtime/kube.client.js';

/** What the operator knows about the cluster rather than the lab (flags of `lab operator run`). */
export interface ClusterSettings {
  /** Cluster DNS Service IP (nginx's resolver). Default: the chart's (10.96.0.10, kubeadm). */
  readonly dnsServiceIp?: string;
  /** Cluster DNS domain. Default: cluster.local. */
  readonly clusterDomain?: string;
  /** Egress to the API server for Prometheus's pod discovery. Default: the chart's. */
  readonly apiServerEgress?: ApiServerEgress;
  /** The stack definition and the root its config files are read from. Default: this workspace. */
  readonly stack?: Stack;
  readonly workspaceRoot?: string;
}

/** PVC sizes and Prometheus retention of each size preset. */
export const sizePresetValues: Readonly<
  Record<SizePreset, { sizes: Readonly<Record<StatefulComponent, string>>; retention: string }>
> = {
  small: {
    sizes: {
      'task-api': '1Gi',
      tempo: '2Gi',
      loki: '2Gi',
      prometheus: '2Gi',
      grafana: '1Gi',
      postgres: '2Gi',
    },
    retention: '3d',
  },
  medium: { sizes: defaultStorageSizes, retention: '15d' },
  large: {
    sizes: {
      'task-api': '5Gi',
      tempo: '50Gi',
      loki: '50Gi',
      prometheus: '50Gi',
      grafana: '2Gi',
      postgres: '20Gi',
    },
    retention: '30d',
  },
};

/** The chart props for a lab's spec in its namespace. */
export function labChartProps(
  namespace: string,
  spec: LabSpec,
  cluster: ClusterSettings = {},
): LabChartProps {
  const preset = sizePresetValues[spec.size];
  const sizes = Object.fromEntries(
    Object.entries(spec.storage.sizes).filter(([, size]) => size !== undefined),
  );
  const images = Object.fromEntries(Object.entries(spec.images).filter(([, image]) => image !== undefined));
  return {
    namespace,
    hosts: { app: spec.ingress.appHost, grafana: spec.ingress.grafanaHost },
    tlsSecretName: spec.ingress.tlsSecretName,
    ingressClassName: spec.ingress.className,
    ingressControllerNamespace: spec.ingress.controllerNamespace,
    ...(spec.storage.className ? { storageClassName: spec.storage.className } : {}),
    storageSizes: { ...preset.sizes, ...sizes },
    database: spec.database.mode,
    postgresSecretName: spec.database.secretName,
    taskApiReplicas: spec.taskApi.replicas,
    frontendReplicas: spec.frontend.replicas,
    images,
    retention: { prometheus: spec.retention.prometheus ?? preset.retention },
    grafanaAdminSecretName: spec.grafana.adminSecretRef.name,
    components: Object.fromEntries(Object.entries(spec.components).map(([name, c]) => [name, c.enabled])),
    ...(cluster.dnsServiceIp ? { dnsServiceIp: cluster.dnsServiceIp } : {}),
    ...(cluster.clusterDomain ? { clusterDomain: cluster.clusterDomain } : {}),
    ...(cluster.apiServerEgress ? { apiServerEgress: cluster.apiServerEgress } : {}),
    ...(cluster.stack ? { stack: cluster.stack } : {}),
    ...(cluster.workspaceRoot ? { workspaceRoot: cluster.workspaceRoot } : {}),
  };
}

/** The owner reference every child carries: the lab is its controller, and blocks foreground deletion. */
export function ownerReference(lab: ObservabilityLab): OwnerReference {
  return {
    apiVersion: labApiVersion,
    kind: 'ObservabilityLab',
    name: lab.metadata.name,
    uid: lab.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The lab's desired children and its parsed spec. */
export interface DesiredState {
  readonly spec: LabSpec;
  readonly children: readonly KubeObject[];
}

/** Stable hash of a desired object, stored in {@link desiredHashAnnotation}. */
export function desiredHash(object: unknown): string {
  return createHash('sha256').update(JSON.stringify(object)).digest('hex').slice(0, 16);
}

function adopt(manifest: Manifest, lab: ObservabilityLab, spec: LabSpec): KubeObject {
  const labLabel = { [labLabels.lab]: lab.metadata.name, [labLabels.managedBy]: fieldManager };
  const object = structuredClone(manifest) as KubeObject;
  object.metadata.labels = { ...object.metadata.labels, ...labLabel };
  // Claims hold data: with retainData they carry no owner reference, so neither the garbage
  // collector nor pruning deletes them; without it they go with the lab.
  if (object.kind !== 'PersistentVolumeClaim' || !spec.retainData)
    object.metadata.ownerReferences = [ownerReference(lab)];
  if (object.kind === 'StatefulSet') {
    const statefulSpec = object['spec'] as {
      volumeClaimTemplates?: { metadata?: { labels?: Record<string, string> } }[];
      persistentVolumeClaimRetentionPolicy?: unknown;
    };
    for (const template of statefulSpec.volumeClaimTemplates ?? []) {
      template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...labLabel } };
    }
    // retainData: false lets the StatefulSet controller own (and the garbage collector delete) its claims.
    statefulSpec.persistentVolumeClaimRetentionPolicy = {
      whenDeleted: spec.retainData ? 'Retain' : 'Delete',
      whenScaled: 'Retain',
    };
  }
  object.metadata.annotations = {
    ...object.metadata.annotations,
    [desiredHashAnnotation]: desiredHash(object),
  };
  internData(object);
  return object;
}

/**
 * Pure: the lab's children. The chart's Namespace is left out (the lab lives in an existing
 * namespace; owner references cannot cross into cluster scope). Throws LabSpecError (from
 * charts-ts) for a spec that breaks a rule, the chart's Error when its config files are unusable.
 */
export function desiredState(lab: ObservabilityLab, cluster: ClusterSettings = {}): DesiredState {
  const spec = parseLabSpec(lab.spec);
  const manifests = synthLab(labChartProps(lab.metadata.namespace, spec, cluster));
  return {
    spec,
    children: manifests.filter((m) => m.kind !== 'Namespace').map((m) => adopt(m, lab, spec)),
  };
}

/**
 * {@link desiredState} remembered per lab until its spec changes: status changes of the children
 * trigger many passes, and synthesizing ~40 objects each time would dominate the operator's CPU.
 */
export class DesiredStateCache {
  private readonly entries = new Map<string, { key: string; state: DesiredState }>();

  /** `capacity`: labs kept (least recently used go first), bounding memory whatever the lab count. */
  constructor(
    private readonly cluster: ClusterSettings = {},
    private readonly capacity = 16,
  ) {}

  get(lab: ObservabilityLab): DesiredState {
    const key = JSON.stringify([lab.metadata.namespace, lab.metadata.name, lab.metadata.uid, lab.spec ?? {}]);
    const entry = this.entries.get(lab.metadata.uid);
    if (entry?.key === key) {
      this.entries.delete(lab.metadata.uid);
      this.entries.set(lab.metadata.uid, entry);
      return entry.state;
    }
    const state = desiredState(lab, this.cluster);
    this.entries.delete(lab.metadata.uid);
    this.entries.set(lab.metadata.uid, { key, state });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return state;
  }

  forget(uid: string): void {
    this.entries.delete(uid);
  }
}
