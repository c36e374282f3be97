import { type LabSpecInput } from './lab.schema.js';

/** Condition types of a lab's status. */
export const ConditionType = {
  /** Every desired child exists and reports ready. */
  Ready: 'Ready',
  /** The operator is applying a change, or children are not ready yet. */
  Progressing: 'Progressing',
  /** Something needs a person: an invalid spec, a failed apply, a child that cannot become ready. */
  Degraded: 'Degraded',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Reasons of the conditions (CamelCase, as Kubernetes conventions ask). */
export const Reason = {
  AllComponentsReady: 'AllComponentsReady',
  ComponentsNotReady: 'ComponentsNotReady',
  Applied: 'Applied',
  ApplyFailed: 'ApplyFailed',
  InvalidSpec: 'InvalidSpec',
  RenderFailed: 'RenderFailed',
  AsExpected: 'AsExpected',
  Deleting: 'Deleting',
  OwnedByAnotherLab: 'OwnedByAnotherLab',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** A metav1.Condition. */
export interface LabCondition {
  readonly type: ConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: Reason;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration: number;
}

/** Desired and ready replicas of one component. */
export interface ComponentStatus {
  readonly desired: number;
  readonly ready: number;
}

/** `status` of an ObservabilityLab, rebuilt from the cluster on every pass. */
export interface LabStatus {
  readonly observedGeneration?: number;
  readonly conditions?: readonly LabCondition[];
  /** Per running component. */
  readonly components?: Readonly<Record<string, ComponentStatus>>;
  /** `ready/desired` components, for the printer column. */
  readonly summary?: string;
  /** Database mode in use, for the printer column. */
  readonly database?: string;
  readonly urls?: { readonly app?: string; readonly grafana?: string };
}

/** The custom resource as read from the API server. */
export interface ObservabilityLab {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation?: number;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: LabSpecInput;
  status?: LabStatus;
}

/** The operator's finalizer on every lab. */
export const labFinalizer = 'lab.obslab.dev/cleanup';

/** Labels the operator puts on every child, so its informers and pruning find them. */
export const labLabels = {
  /** Name of the ObservabilityLab the object belongs to. */
  lab: 'lab.obslab.dev/name',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/** Value of `app.kubernetes.io/managed-by` on children; also the server-side apply field manager. */
export const fieldManager = 'obslab-operator';

/** Annotation on children: hash of the applied desired object, so unchanged objects are not re-sent. */
export const desiredHashAnnotation = 'lab.obslab.dev/desired-hash';

/** The controller the operator's Events are reported under. */
export const reportingController = 'lab.obslab.dev/operator';
