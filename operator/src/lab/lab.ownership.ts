// One lab per namespace (the objects have fixed names): the oldest lab keeps it, and no lab takes
// an object another owner controls.
import { type KubeObject } from '../runtime/kube.client.js';
import { LabOwnershipError } from './lab.errors.js';
import { objectKey } from './lab.status.js';
import { type LabStore } from './lab.store.js';
import { type ObservabilityLab } from './lab.types.js';

/** Whether `object` names `lab` as its controller. */
export const controlledBy = (object: KubeObject, lab: ObservabilityLab) =>
  object.metadata.ownerReferences?.some((r) => r.controller && r.uid === lab.metadata.uid) ?? false;

const controllerOf = (object: KubeObject) => object.metadata.ownerReferences?.find((r) => r.controller);

const created = (lab: ObservabilityLab) => new Date(lab.metadata.creationTimestamp ?? 0).toISOString();

/** Whether lab `a` was created before `b` (same second: by name, then uid). */
export const olderThan = (a: ObservabilityLab, b: ObservabilityLab) =>
  created(a) !== created(b)
    ? created(a) < created(b)
    : a.metadata.name !== b.metadata.name
      ? a.metadata.name < b.metadata.name
      : a.metadata.uid < b.metadata.uid;

/**
 * Throws {@link LabOwnershipError} when an older lab runs in the namespace (decided from the labs,
 * which the cache sees in creation order, so two labs created at once cannot both apply) or when an
 * object of `desired` is controlled by another owner.
 */
export function assertOwnership(
  store: LabStore,
  lab: ObservabilityLab,
  desired: readonly KubeObject[],
): void {
  const { namespace, uid } = lab.metadata;
  const rival = store
    .labsIn(namespace)
    .filter((other) => other.metadata.uid !== uid && !other.metadata.deletionTimestamp)
    .find((other) => olderThan(other, lab));
  if (rival)
    throw new LabOwnershipError(
      `ObservabilityLab ${rival.metadata.name} already runs in namespace ${namespace}: one ObservabilityLab per namespace; delete this one or create it in another namespace`,
    );
  const foreign = desired
    .map((d) => store.object(d.kind!, namespace, d.metadata.name))
    .find((o) => o !== undefined && controllerOf(o) !== undefined && controllerOf(o)!.uid !== uid);
  if (foreign) {
    const owner = controllerOf(foreign)!;
    throw new LabOwnershipError(
      `${objectKey(foreign)} belongs to ${owner.kind} ${owner.name}: one ObservabilityLab per namespace; delete this one or move it to another namespace`,
    );
  }
}
