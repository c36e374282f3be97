// One reconcile pass of an ObservabilityLab, in Cluster API's shape: get (gone = done) → ensure the
// finalizer → reconcileDelete or reconcileNormal → one status write at the end, rebuilt from what
// the cluster shows. Errors are types (lab.errors.ts): a pass that cannot succeed until the spec or
// another lab changes is not retried; the others go back to the work queue with backoff. Nothing
// here exits the process.
import { LabSpecError } from '@obslab/charts-ts';
import { type EventRecorder } from '../runtime/events.js';
import { type KubeObject, isConflict } from '../runtime/kube.client.js';
import {
  applyDesired,
  deleteClaims,
  prune,
  releaseClaims,
  type ChildrenContext,
  type LabClient,
} from './lab.children.js';
import { type DesiredState, type DesiredStateCache } from './lab.desired.js';
import { LabRenderError, problemOf } from './lab.errors.js';
import { recordPassEvents, type ReconcileReport } from './lab.events.js';
import { assertOwnership, controlledBy } from './lab.ownership.js';
import { labResource } from './lab.resources.js';
import { parseLabSpec, type LabSpec } from './lab.schema.js';
import { computeStatus, objectKey, sameStatus, type LabProblem } from './lab.status.js';
import { type LabStore } from './lab.store.js';
import { labFinalizer, type LabStatus, type ObservabilityLab } from './lab.types.js';

export { type ReconcileReport } from './lab.events.js';

/** What a pass asks of the queue. */
export interface ReconcileResult {
  /** Reconcile again after this long even if nothing changes (deletion in progress). */
  readonly requeueAfterMs?: number;
}

export interface LabReconcilerOptions {
  readonly client: LabClient;
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

/** What one pass saw and did; its status is built from this at the end. */
interface Pass {
  readonly lab: ObservabilityLab;
  spec: LabSpec | undefined;
  desired: readonly KubeObject[];
  /** The lab's children as the cache shows them, with what this pass applied. */
  readonly observed: Map<string, KubeObject>;
  problem: LabProblem | undefined;
  readonly report: ReconcileReport;
  /** Deletion: what happens to the claims, for the Deleting event. */
  deletingNote?: string;
  /** Deletion: the finalizer is released, the lab goes; its status need not be written. */
  released?: boolean;
}

const foregroundDeletion = 'foregroundDeletion';
const deleting = (lab: ObservabilityLab) => lab.metadata.deletionTimestamp !== undefined;
const hasFinalizer = (lab: ObservabilityLab) => lab.metadata.finalizers?.includes(labFinalizer) ?? false;

export class LabReconciler {
  private readonly clock: () => Date;
  private readonly log: (message: string, fields?: Record<string, unknown>) => void;
  private readonly children: ChildrenContext;

  constructor(private readonly options: LabReconcilerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.log = options.log ?? (() => undefined);
    this.children = { client: options.client, log: this.log };
  }

  /** One pass for `namespace/name`. Throws to be retried with backoff. */
  async reconcile(namespace: string, name: string): Promise<ReconcileResult> {
    const found = this.options.store.lab(namespace, name);
    // Gone (the garbage collector removes what it owned), or deleting without our finalizer: done.
    if (!found || (deleting(found) && !hasFinalizer(found))) return {};
    const lab = await this.ensureFinalizer(found);
    const pass: Pass = {
      lab,
      spec: undefined,
      desired: [],
      observed: new Map(this.options.store.children(namespace, name).map((o) => [objectKey(o), o])),
      problem: undefined,
      report: { applied: 0, pruned: 0, unchanged: 0 },
    };
    try {
      return deleting(lab) ? await this.reconcileDelete(pass) : await this.reconcileNormal(pass);
    } catch (error) {
      pass.problem = problemOf(error);
      if (pass.problem.retrying) throw error;
      return {}; // nothing to retry until the spec or another lab changes
    } finally {
      await this.patchStatus(pass);
      this.options.onReport?.(`${namespace}/${name}`, pass.report);
    }
  }

  /** Desired state → ownership → apply what is not in sync → prune what is no longer desired. */
  private async reconcileNormal(pass: Pass): Promise<ReconcileResult> {
    const { spec, children } = this.render(pass.lab);
    pass.spec = spec;
    pass.desired = children;
    assertOwnership(this.options.store, pass.lab, children);
    const { failure, ...counts } = await applyDesired(
      this.children,
      children,
      pass.observed,
      this.options.applyConcurrency ?? 8,
    );
    Object.assign(pass.report, counts);
    if (failure) throw failure;
    pass.report.pruned = await prune(this.children, pass.lab, spec.retainData, children, pass.observed);
    return {};
  }

  /**
   * Deletion: the garbage collector deletes the children through their owner references (the lab
   * is switched to foreground deletion so it waits for them); PVCs are kept or deleted per
   * retainData; then the finalizer is released.
   */
  private async reconcileDelete(pass: Pass): Promise<ReconcileResult> {
    const { client } = this.options;
    const { lab } = pass;
    const { namespace, name, uid } = lab.metadata;
    const retainData = this.retainDataOf(lab);
    pass.deletingNote = `deleting the lab's objects; PersistentVolumeClaims are ${retainData ? 'kept (retainData)' : 'deleted'}`;
    const children = [...pass.observed.values()];
    const foreground = lab.metadata.finalizers!.includes(foregroundDeletion);
    // retainData may have been switched on just before the delete, before a pass applied it:
    // release the claims and keep the StatefulSet's claims before the garbage collector starts.
    if (retainData && !foreground && (await releaseClaims(this.children, lab, children)))
      return { requeueAfterMs: 1_000 };
    if (children.some((o) => controlledBy(o, lab))) {
      // Ask the garbage collector to delete the children first and keep the lab until they are gone.
      if (!foreground)
        await client.delete(labResource, namespace, name, { propagationPolicy: 'Foreground', uid });
      return { requeueAfterMs: 5_000 };
    }
    if (!retainData && (await deleteClaims(this.children, lab, children))) return { requeueAfterMs: 2_000 };
    await client.patch(labResource, namespace, name, 'merge', {
      metadata: {
        resourceVersion: lab.metadata.resourceVersion,
        finalizers: lab.metadata.finalizers!.filter((f) => f !== labFinalizer),
      },
    });
    pass.released = true;
    this.options.desired.forget(uid);
    this.log('finalizer released', { lab: `${namespace}/${name}` });
    return {};
  }

  /** The spec and desired children; a spec that breaks a rule stays a LabSpecError. */
  private render(lab: ObservabilityLab): DesiredState {
    try {
      return this.options.desired.get(lab);
    } catch (error) {
      if (error instanceof LabSpecError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new LabRenderError(`rendering the lab: ${message}`, { cause: error });
    }
  }

  private retainDataOf(lab: ObservabilityLab): boolean {
    try {
      return parseLabSpec(lab.spec).retainData;
    } catch {
      this.log('spec unreadable while deleting: keeping the PersistentVolumeClaims', {
        lab: lab.metadata.name,
      });
      return true; // an unreadable spec keeps the data
    }
  }

  /** The status of what the pass saw: a deleting lab changes only its conditions. */
  private statusOf(pass: Pass): LabStatus {
    const { lab, spec, desired, observed, problem } = pass;
    const status = computeStatus({
      lab,
      spec,
      desired,
      observed,
      now: this.clock(),
      ...(problem ? { problem } : {}),
    });
    return deleting(lab) ? { ...lab.status, conditions: status.conditions } : status;
  }

  /**
   * The pass's one status write, when the status changed: server-side apply on /status with the
   * lab's resourceVersion as precondition, so a pass that read a stale lab (its own last write not
   * yet in the cache) writes nothing and repeats no event; the newer lab queues the next pass.
   */
  private async patchStatus(pass: Pass): Promise<void> {
    const { lab } = pass;
    const status = this.statusOf(pass);
    let written = pass.released === true; // the lab goes: the transition stands without a write
    if (!written && !sameStatus(lab.status, status)) {
      const { name, namespace, resourceVersion } = lab.metadata;
      try {
        const metadata = { name, namespace, resourceVersion };
        await this.options.client.apply(
          labResource,
          { apiVersion: lab.apiVersion, kind: lab.kind, metadata, status },
          'status',
        );
        written = true;
      } catch (error) {
        if (!isConflict(error)) throw error;
        this.log('status not written: the lab changed since the cache showed it', {
          lab: `${namespace}/${name}`,
        });
      }
    }
    await recordPassEvents(
      this.options.events,
      lab,
      written ? status : undefined,
      pass.report,
      pass.deletingNote,
    );
  }

  private async ensureFinalizer(lab: ObservabilityLab): Promise<ObservabilityLab> {
    if (deleting(lab) || hasFinalizer(lab)) return lab;
    return this.options.client.patch(labResource, lab.metadata.namespace, lab.metadata.name, 'merge', {
      metadata: {
        resourceVersion: lab.metadata.resourceVersion,
        finalizers: [...(lab.metadata.finalizers ?? []), labFinalizer],
      },
    }) as unknown as Promise<ObservabilityLab>;
  }
}
