// Status: rebuilt on every pass from what exists in the cluster (the children's own status),
// never from the operator's memory.
import { isDeepStrictEqual } from 'node:util';
import { type LabSpec } from './lab.schema.js';
import {
  ConditionType,
  Reason,
  type ComponentStatus,
  type LabCondition,
  type LabStatus,
  type ObservabilityLab,
} from './lab.types.js';
import { type KubeObject } from '../runtime/kube.client.js';

/** A problem the status reports as Degraded. */
export interface LabProblem {
  readonly reason:
    | typeof Reason.InvalidSpec
    | typeof Reason.RenderFailed
    | typeof Reason.ApplyFailed
    | typeof Reason.OwnedByAnotherLab;
  readonly message: string;
  /** Whether the operator keeps retrying (Progressing stays True). */
  readonly retrying: boolean;
}

/** Inputs of {@link computeStatus}. */
export interface StatusInput {
  readonly lab: ObservabilityLab;
  /** The parsed spec; undefined when it could not be parsed. */
  readonly spec: LabSpec | undefined;
  readonly desired: readonly KubeObject[];
  /** What exists now, by {@link objectKey}. */
  readonly observed: ReadonlyMap<string, KubeObject>;
  readonly problem?: LabProblem;
  readonly now: Date;
}

/** `Kind/name` of an object, unique within a namespace. */
export const objectKey = (object: { kind?: string; metadata: { name: string } }) =>
  `${object.kind}/${object.metadata.name}`;

interface WorkloadStatus {
  readyReplicas?: number;
  updatedReplicas?: number;
  observedGeneration?: number;
}

/** Desired and ready replicas of a Deployment or StatefulSet, and whether it runs the current spec. */
export function workloadStatus(
  desired: KubeObject,
  observed: KubeObject | undefined,
): ComponentStatus & { current: boolean } {
  const want = (desired['spec'] as { replicas?: number }).replicas ?? 1;
  if (!observed) return { desired: want, ready: 0, current: false };
  const status = (observed['status'] ?? {}) as WorkloadStatus;
  const ready = Math.min(status.readyReplicas ?? 0, want);
  const current =
    (status.observedGeneration ?? 0) >= (observed.metadata.generation ?? 0) &&
    (status.updatedReplicas ?? 0) >= want;
  return { desired: want, ready, current };
}

const isWorkload = (o: KubeObject) => o.kind === 'Deployment' || o.kind === 'StatefulSet';

/** Pure: the lab's status for what is desired and what exists. */
export function computeStatus(input: StatusInput): LabStatus {
  const { lab, spec, desired, observed, problem, now } = input;
  const generation = lab.metadata.generation ?? 0;
  const components: Record<string, ComponentStatus> = {};
  const waiting: string[] = [];
  for (const workload of desired.filter(isWorkload)) {
    const name = workload.metadata.labels?.['app.kubernetes.io/name'] ?? workload.metadata.name;
    const status = workloadStatus(workload, observed.get(objectKey(workload)));
    components[name] = { desired: status.desired, ready: status.ready };
    if (status.ready < status.desired || !status.current)
      waiting.push(`${name} ${status.ready}/${status.desired}`);
  }
  const missing = desired.filter((o) => !observed.has(objectKey(o))).map(objectKey);
  const names = Object.keys(components);
  const readyCount = names.length - waiting.length;
  const deleting = lab.metadata.deletionTimestamp !== undefined;

  const condition = (
    type: ConditionType,
    status: LabCondition['status'],
    reason: Reason,
    message: string,
  ): LabCondition => {
    const previous = lab.status?.conditions?.find((c) => c.type === type);
    return {
      type,
      status,
      reason,
      message,
      lastTransitionTime: previous?.status === status ? previous.lastTransitionTime : now.toISOString(),
      observedGeneration: generation,
    };
  };

  let conditions: LabCondition[];
  if (deleting) {
    const message = 'the lab is being deleted; waiting for its objects to go';
    conditions = [
      condition(ConditionType.Ready, 'False', Reason.Deleting, message),
      condition(ConditionType.Progressing, 'True', Reason.Deleting, message),
      condition(ConditionType.Degraded, 'False', Reason.AsExpected, 'no problem found'),
    ];
  } else if (problem) {
    conditions = [
      condition(ConditionType.Ready, 'False', problem.reason, problem.message),
      condition(
        ConditionType.Progressing,
        problem.retrying ? 'True' : 'False',
        problem.reason,
        problem.retrying ? `retrying: ${problem.message}` : 'waiting for the spec to change',
      ),
      condition(ConditionType.Degraded, 'True', problem.reason, problem.message),
    ];
  } else if (waiting.length === 0 && missing.length === 0) {
    const message = `all ${names.length} components are ready`;
    conditions = [
      condition(ConditionType.Ready, 'True', Reason.AllComponentsReady, message),
      condition(ConditionType.Progressing, 'False', Reason.AsExpected, 'every object is applied and current'),
      condition(ConditionType.Degraded, 'False', Reason.AsExpected, 'no problem found'),
    ];
  } else {
    const parts = [
      ...(waiting.length ? [`waiting for ${waiting.join(', ')}`] : []),
      ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
    ];
    const message = parts.join('; ');
    conditions = [
      condition(ConditionType.Ready, 'False', Reason.ComponentsNotReady, message),
      condition(ConditionType.Progressing, 'True', Reason.Applied, message),
      condition(ConditionType.Degraded, 'False', Reason.AsExpected, 'no problem found'),
    ];
  }

  const urls = spec && {
    ...(spec.components.frontend.enabled ? { app: `https://${spec.ingress.appHost}/` } : {}),
    ...(spec.components.grafana.enabled ? { grafana: `https://${spec.ingress.grafanaHost}/` } : {}),
  };
  return {
    observedGeneration: generation,
    conditions,
    // Empty maps are left out: server-side apply stores `{}` as null, which the schema refuses.
    ...(names.length > 0 ? { components } : {}),
    summary: `${readyCount}/${names.length}`,
    ...(spec ? { database: spec.database.mode } : {}),
    ...(urls && Object.keys(urls).length > 0 ? { urls } : {}),
  };
}

/** Whether two statuses say the same (so no patch is needed). */
export const sameStatus = (a: LabStatus | undefined, b: LabStatus) => isDeepStrictEqual(a ?? {}, b);

/** The condition of `type`, if any. */
export const conditionOf = (status: LabStatus | undefined, type: ConditionType) =>
  status?.conditions?.find((c) => c.type === type);
