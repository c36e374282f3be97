// What a pass does to a lab's children: apply the desired objects the cluster does not hold yet,
// prune the ones no longer desired, and, on deletion, release or delete the claims.
import { type KubeClient, type KubeObject, isNotFound } from '../runtime/kube.client.js';
import { isSubset } from '../runtime/subset.js';
import { LabApplyError } from './lab.errors.js';
import { controlledBy } from './lab.ownership.js';
import { childResource } from './lab.resources.js';
import { objectKey } from './lab.status.js';
import { desiredHashAnnotation, type ObservabilityLab } from './lab.types.js';

/** The API calls a pass makes: a KubeClient, or an in-memory one in specs. */
export type LabClient = Pick<KubeClient, 'apply' | 'patch' | 'delete'>;

/** What the child operations need. */
export interface ChildrenContext {
  readonly client: LabClient;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
}

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

/**
 * Server-side applies the desired objects that are not in sync, `concurrency` at once, and puts
 * what the API server returned into `observed`. Returns the counts and, once every apply has
 * settled, the first failure as a {@link LabApplyError}.
 */
export async function applyDesired(
  { client }: ChildrenContext,
  desired: readonly KubeObject[],
  observed: Map<string, KubeObject>,
  concurrency: number,
): Promise<{ applied: number; unchanged: number; failure: LabApplyError | undefined }> {
  const stale = desired.filter((d) => !inSync(d, observed.get(objectKey(d))));
  const results = await mapLimit(stale, concurrency, (object) =>
    client.apply(childResource(object.kind!), object),
  );
  let applied = 0;
  let failure: LabApplyError | undefined;
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') {
      observed.set(objectKey(result.value), result.value);
      applied++;
    } else
      failure ??= new LabApplyError(
        `applying ${objectKey(stale[index]!)}: ${(result.reason as Error).message}`,
        {
          cause: result.reason,
        },
      );
  });
  return { applied, unchanged: desired.length - stale.length, failure };
}

/** Deletes children with the lab's owner reference that are no longer desired (claims stay with retainData); returns how many. */
export async function prune(
  { client, log }: ChildrenContext,
  lab: ObservabilityLab,
  retainData: boolean,
  desired: readonly KubeObject[],
  observed: ReadonlyMap<string, KubeObject>,
): Promise<number> {
  const wanted = new Set(desired.map(objectKey));
  const surplus = [...observed.values()].filter(
    (o) => !wanted.has(objectKey(o)) && controlledBy(o, lab) && !o.metadata.deletionTimestamp,
  );
  let pruned = 0;
  for (const object of surplus) {
    if (object.kind === 'PersistentVolumeClaim' && retainData) continue; // data: kept
    try {
      await client.delete(childResource(object.kind!), lab.metadata.namespace, object.metadata.name, {
        propagationPolicy: 'Background',
        uid: object.metadata.uid!,
      });
      pruned++;
      log('pruned', { lab: lab.metadata.name, object: objectKey(object) });
    } catch (error) {
      if (isNotFound(error)) continue;
      throw new LabApplyError(`pruning ${objectKey(object)}: ${(error as Error).message}`, { cause: error });
    }
  }
  return pruned;
}

/**
 * Removes the lab's owner reference from its claims and sets the StatefulSets' claim retention to
 * Retain; returns whether anything had to change (then the caller waits for the cache to show it).
 */
export async function releaseClaims(
  { client }: ChildrenContext,
  lab: ObservabilityLab,
  children: readonly KubeObject[],
): Promise<boolean> {
  const { namespace } = lab.metadata;
  // Claims the StatefulSet controller still owns (retention Delete) go with the StatefulSet: wait
  // until it has released them after the policy change below.
  let changed = children.some(
    (o) =>
      o.kind === 'PersistentVolumeClaim' && o.metadata.ownerReferences?.some((r) => r.kind === 'StatefulSet'),
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

/** Deletes the lab's remaining claims; returns whether any was left (then the caller waits). */
export async function deleteClaims(
  { client }: ChildrenContext,
  lab: ObservabilityLab,
  children: readonly KubeObject[],
): Promise<boolean> {
  const claims = children.filter((o) => o.kind === 'PersistentVolumeClaim');
  for (const claim of claims.filter((c) => !c.metadata.deletionTimestamp)) {
    try {
      await client.delete(
        childResource('PersistentVolumeClaim'),
        lab.metadata.namespace,
        claim.metadata.name,
        {
          uid: claim.metadata.uid!,
        },
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return claims.length > 0;
}
