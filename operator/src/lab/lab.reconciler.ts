// One reconcile pass of an ObservabilityLab: get → finalizer → delete or normal branch → desired
// state (the chart's constructs) → server-side apply → prune → status from the children → one
// status patch → events. Errors go back to the work queue; nothing here exits the process.
import { type LabStatus, type ObservabilityLab, Reason, labFinalizer } from './lab.types.js';
import { LabSpecError } from '@obslab/charts-ts';
import { parseLabSpec, type LabSpec } from './lab.schema.js';
import { type KubeClient, type KubeObject, isNotFound } from '../runtime/kube.client.js';
import { childResource, labResource } from './lab.resources.js';
import { isSubset } from '../runtime/subset.js';
import { type DesiredStateCache } from './lab.desired.js';
import { type EventRecorder } from '../runtime/events.js';
import { type LabStore } from './lab.store.js';
import { computeStatus, conditionOf, objectKey, sameStatus, type LabProblem } from './lab.status.js';
import { desiredHashAnnotation } from './lab.types.js';

/** What a pass asks of the queue. */
export interface ReconcileResult {
  /** Reconcile again after this long even if nothing changes (deletion in progress). */
  readonly requeueAfterMs?: number;
}

/** Counts of one pass, for logs, metrics and the benchmark. */
export interface ReconcileReport {
  applied: number;
  pruned: number;
  unchanged: number;
}

export interface LabReconcilerOptions {
  readonly client: KubeClient;
  readonly store: LabStore;
  readonly desired: DesiredStateCache;
  readonly events: EventRecorder;
  readonly clock?: () => Date;
  /** Objects applied at once within one pass. Default: 8. */
  readonly applyConcurrency?: number;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Called after each pass with what it did. */
  readonly onReport?: (key: string, report: ReconcileReport) => void;
}

const foregroundDeletion = 'foregroundDeletion';

/** Whether `object` names `lab` as its controller. */
export const controlledBy = (object: KubeObject, lab: ObservabilityLab) =>
  object.metadata.ownerReferences?.some((r) => r.controller && r.uid === lab.metadata.uid) ?? false;

const controllerUid = (object: KubeObject) => object.metadata.ownerReferences?.find((r) => r.controller)?.uid;

const created = (lab: ObservabilityLab) => new Date(lab.metadata.creationTimestamp ?? 0).toISOString();

/** Whether lab `a` was created before `b` (same second: by name, then uid). */
export const olderThan = (a: ObservabilityLab, b: ObservabilityLab) =>
  created(a) !== created(b)
    ? created(a) < created(b)
    : a.metadata.name !== b.metadata.name
      ? a.metadata.name < b.metadata.name
      : a.metadata.uid < b.metadata.uid;

/** Whether the cluster already holds `desired` as the operator last applied it. */
export const inSync = (desired: KubeObject, observed: KubeObject | undefined) =>
  observed !== undefined &&
  observed.metadata.annotations?.[desiredHashAnnotation] ===
    desired.metadata.annotations?.[desiredHashAnnotation] &&
  isSubset(desired, observed);

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await fn(items[index]!) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class LabReconciler {
  private readonly clock: () => Date;
  /**
   * The status this operator last wrote per lab, with the resourceVersion it was computed from: a
   * pass that runs before the watch delivers that write still sees the old status in the cache,
   * and would otherwise patch again and repeat the events.
   */
  private readonly written = new Map<
    string,
    { fromResourceVersion: string | undefined; status: LabStatus }
  >();
  private readonly log: (message: string, fields?: Record<string, unknown>) => void;

  constructor(private readonly options: LabReconcilerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.log = options.log ?? (() => undefined);
  }

  /** One pass for `namespace/name`. Throws to be retried with backoff. */
  async reconcile(namespace: string, name: string): Promise<ReconcileResult> {
    const { store } = this.options;
    let lab = store.lab(namespace, name);
    if (!lab) return {}; // deleted: the garbage collector removes what it owned
    if (lab.metadata.deletionTimestamp) return this.finalize(lab);
    if (!lab.metadata.finalizers?.includes(labFinalizer)) lab = await this.addFinalizer(lab);

    const report: ReconcileReport = { applied: 0, pruned: 0, unchanged: 0 };
    let spec: LabSpec | undefined;
    let desired: readonly KubeObject[] = [];
    let problem: LabProblem | undefined;
    let failure: Error | undefined;
    try {
      ({ spec, children: desired } = this.options.desired.get(lab));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof LabSpecError) {
        // The spec itself: nothing to retry until someone changes it.
        problem = { reason: Reason.InvalidSpec, message: error.message, retrying: false };
      } else {
        // The operator's environment (e.g. a config file it cannot read): retried with backoff.
        failure = new Error(`rendering the lab: ${message}`, { cause: error });
        problem = { reason: Reason.RenderFailed, message: failure.message, retrying: true };
      }
    }

    const observed = new Map<string, KubeObject>();
    for (const child of store.children(namespace, name)) observed.set(objectKey(child), child);

    // One lab per namespace (the objects have fixed names): the oldest lab keeps it. Decided from
    // the labs, which the cache sees in creation order, so two labs created at once cannot both apply.
    const rival = store
      .labsIn(namespace)
      .filter((other) => other.metadata.uid !== lab.metadata.uid && !other.metadata.deletionTimestamp)
      .find((other) => olderThan(other, lab));
    if (spec && rival) {
      problem = {
        reason: Reason.OwnedByAnotherLab,
        message: `ObservabilityLab ${rival.metadata.name} already runs in namespace ${namespace}: one ObservabilityLab per namespace; delete this one or create it in another namespace`,
        retrying: false,
      };
    } else if (spec) {
      const foreign = desired
        .map((d) => store.object(d.kind!, namespace, d.metadata.name))
        .filter(
          (o): o is KubeObject =>
            o !== undefined && controllerUid(o) !== undefined && controllerUid(o) !== lab.metadata.uid,
        );
      if (foreign.length > 0) {
        const owner = foreign[0]!.metadata.ownerReferences!.find((r) => r.controller)!;
        problem = {
          reason: Reason.OwnedByAnotherLab,
          message: `${objectKey(foreign[0]!)} belongs to ${owner.kind} ${owner.name}: one ObservabilityLab per namespace; delete this one or move it to another namespace`,
          retrying: false,
        };
      } else {
        const stale = desired.filter((d) => !inSync(d, observed.get(objectKey(d))));
        report.unchanged = desired.length - stale.length;
        const results = await mapLimit(stale, this.options.applyConcurrency ?? 8, (object) =>
          this.options.client.apply(childResource(object.kind!), object),
        );
        results.forEach((result, index) => {
          if (result.status === 'fulfilled') {
            observed.set(objectKey(result.value), result.value);
            report.applied++;
          } else
            failure ??= new Error(
              `applying ${objectKey(stale[index]!)}: ${(result.reason as Error).message}`,
            );
        });
        if (!failure) {
          try {
            report.pruned = await this.prune(lab, spec, desired, observed);
          } catch (error) {
            failure = error instanceof Error ? error : new Error(String(error));
          }
        }
        if (failure) problem = { reason: Reason.ApplyFailed, message: failure.message, retrying: true };
      }
    }

    const mine = this.written.get(lab.metadata.uid);
    const seen: ObservabilityLab =
      mine && mine.fromResourceVersion === lab.metadata.resourceVersion
        ? { ...lab, status: mine.status }
        : lab;
    const status = computeStatus({
      lab: seen,
      spec,
      desired,
      observed,
      now: this.clock(),
      ...(problem ? { problem } : {}),
    });
    if (!sameStatus(seen.status, status)) {
      await this.options.client.apply(
        labResource,
        { apiVersion: lab.apiVersion, kind: lab.kind, metadata: { name, namespace }, status },
        'status',
      );
      this.written.set(lab.metadata.uid, { fromResourceVersion: lab.metadata.resourceVersion, status });
      await this.recordTransitions(seen, status.conditions ?? [], report);
    } else if (report.applied > 0 || report.pruned > 0) {
      await this.recordTransitions(seen, status.conditions ?? [], report);
    }
    this.options.onReport?.(`${namespace}/${name}`, report);
    if (failure) throw failure;
    return {};
  }

  private async recordTransitions(
    lab: ObservabilityLab,
    conditions: readonly { type: string; status: string; reason: string; message: string }[],
    report: ReconcileReport,
  ) {
    const { events } = this.options;
    if (report.applied > 0) {
      await events.record(
        lab,
        'Normal',
        'Applied',
        'Apply',
        `applied ${report.applied} objects (${report.unchanged} unchanged)`,
      );
    }
    if (report.pruned > 0)
      await events.record(
        lab,
        'Normal',
        'Pruned',
        'Prune',
        `removed ${report.pruned} objects no longer desired`,
      );
    const before = (type: string) => conditionOf(lab.status, type as never);
    for (const condition of conditions) {
      const previous = before(condition.type);
      if (previous?.status === condition.status && previous.reason === condition.reason) continue;
      if (condition.type === 'Ready' && condition.status === 'True') {
        await events.record(lab, 'Normal', Reason.AllComponentsReady, 'Reconcile', condition.message);
      } else if (condition.type === 'Degraded' && condition.status === 'True') {
        await events.record(lab, 'Warning', condition.reason, 'Reconcile', condition.message);
      }
    }
  }

  /** Removes children that carry the lab's label and owner reference but are no longer desired. */
  private async prune(
    lab: ObservabilityLab,
    spec: LabSpec,
    desired: readonly KubeObject[],
    observed: Map<string, KubeObject>,
  ) {
    const wanted = new Set(desired.map(objectKey));
    const surplus = [...observed.values()].filter(
      (o) => !wanted.has(objectKey(o)) && controlledBy(o, lab) && !o.metadata.deletionTimestamp,
    );
    let pruned = 0;
    for (const object of surplus) {
      if (object.kind === 'PersistentVolumeClaim' && spec.retainData) continue; // data: kept
      try {
        await this.options.client.delete(
          childResource(object.kind!),
          lab.metadata.namespace,
          object.metadata.name,
          {
            propagationPolicy: 'Background',
            uid: object.metadata.uid!,
          },
        );
        pruned++;
        this.log('pruned', { lab: lab.metadata.name, object: objectKey(object) });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return pruned;
  }

  /**
   * Removes the lab's owner reference from its claims and sets the StatefulSets' claim retention to
   * Retain; returns whether anything had to change (then the caller waits for the cache to show it).
   */
  private async releaseClaims(lab: ObservabilityLab, children: readonly KubeObject[]): Promise<boolean> {
    const { client } = this.options;
    const { namespace } = lab.metadata;
    // Claims the StatefulSet controller still owns (retention Delete) go with the StatefulSet: wait
    // until it has released them after the policy change below.
    let changed = children.some(
      (o) =>
        o.kind === 'PersistentVolumeClaim' &&
        o.metadata.ownerReferences?.some((r) => r.kind === 'StatefulSet'),
    );
    for (const object of children.filter((o) => controlledBy(o, lab))) {
      if (object.kind === 'PersistentVolumeClaim') {
        const others = (object.metadata.ownerReferences ?? []).filter((r) => r.uid !== lab.metadata.uid);
        await client.patch(childResource(object.kind), namespace, object.metadata.name, 'merge', {
          metadata: { ownerReferences: others.length > 0 ? others : null },
        });
        changed = true;
      } else if (object.kind === 'StatefulSet') {
        const policy = (object['spec'] as { persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string } })
          .persistentVolumeClaimRetentionPolicy;
        if (policy?.whenDeleted === 'Delete') {
          await client.patch(childResource(object.kind), namespace, object.metadata.name, 'merge', {
            spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain' } },
          });
          changed = true;
        }
      }
    }
    return changed;
  }

  private async addFinalizer(lab: ObservabilityLab): Promise<ObservabilityLab> {
    return this.options.client.patch(labResource, lab.metadata.namespace, lab.metadata.name, 'merge', {
      metadata: {
        resourceVersion: lab.metadata.resourceVersion,
        finalizers: [...(lab.metadata.finalizers ?? []), labFinalizer],
      },
    }) as unknown as Promise<ObservabilityLab>;
  }

  /**
   * Deletion: the garbage collector deletes the children through their owner references (the lab
   * is switched to foreground deletion so it waits for them); PVCs are kept or deleted per
   * retainData; then the finalizer is released.
   */
  private async finalize(lab: ObservabilityLab): Promise<ReconcileResult> {
    const { client, store } = this.options;
    const { namespace, name, uid } = lab.metadata;
    if (!lab.metadata.finalizers?.includes(labFinalizer)) return {};
    let retainData = true; // an unreadable spec keeps the data
    try {
      retainData = parseLabSpec(lab.spec).retainData;
    } catch {
      this.log('spec unreadable while deleting: keeping the PersistentVolumeClaims', { lab: name });
    }
    if (!conditionOf(lab.status, 'Ready') || conditionOf(lab.status, 'Ready')?.reason !== Reason.Deleting) {
      const status = computeStatus({
        lab,
        spec: undefined,
        desired: [],
        observed: new Map(),
        now: this.clock(),
      });
      await client.apply(
        labResource,
        {
          apiVersion: lab.apiVersion,
          kind: lab.kind,
          metadata: { name, namespace },
          status: { ...lab.status, conditions: status.conditions },
        },
        'status',
      );
      await this.options.events.record(
        lab,
        'Normal',
        Reason.Deleting,
        'Delete',
        `deleting the lab's objects; PersistentVolumeClaims are ${retainData ? 'kept (retainData)' : 'deleted'}`,
      );
    }
    const children = store.children(namespace, name);
    const owned = children.filter((o) => controlledBy(o, lab));
    if (retainData && !lab.metadata.finalizers.includes(foregroundDeletion)) {
      // retainData may have been switched on just before the delete, before a pass applied it:
      // release the claims and keep the StatefulSet's claims before the garbage collector starts.
      const releasing = await this.releaseClaims(lab, children);
      if (releasing) return { requeueAfterMs: 1_000 };
    }
    if (owned.length > 0) {
      if (!lab.metadata.finalizers.includes(foregroundDeletion)) {
        // Ask the garbage collector to delete the children first and keep the lab until they are gone.
        await client.delete(labResource, namespace, name, { propagationPolicy: 'Foreground', uid });
      }
      return { requeueAfterMs: 5_000 };
    }
    if (!retainData) {
      const claims = children.filter((o) => o.kind === 'PersistentVolumeClaim');
      for (const claim of claims.filter((c) => !c.metadata.deletionTimestamp)) {
        try {
          await client.delete(childResource('PersistentVolumeClaim'), namespace, claim.metadata.name, {
            uid: claim.metadata.uid!,
          });
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      if (claims.length > 0) return { requeueAfterMs: 2_000 };
    }
    await client.patch(labResource, namespace, name, 'merge', {
      metadata: {
        resourceVersion: lab.metadata.resourceVersion,
        finalizers: lab.metadata.finalizers.filter((f) => f !== labFinalizer),
      },
    });
    this.options.desired.forget(uid);
    this.written.delete(uid);
    this.log('finalizer released', { lab: `${namespace}/${name}` });
    return {};
  }
}
