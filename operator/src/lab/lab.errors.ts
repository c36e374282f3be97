// Why a pass failed, as types: the reconciler maps each to the status's Degraded reason and decides
// from the type, never from message text, whether retrying can help.
import { LabSpecError } from '@obslab/charts-ts';
import { Reason } from './lab.types.js';
import { type LabProblem } from './lab.status.js';

/**
 * The lab cannot own its objects: an older lab runs in the namespace, or an object it would apply
 * is controlled by another owner. Nothing to retry until one of them goes.
 */
export class LabOwnershipError extends Error {
  override readonly name = 'LabOwnershipError';
}

/** Rendering failed for a reason of the operator's environment (e.g. a config file it cannot read); retried. */
export class LabRenderError extends Error {
  override readonly name = 'LabRenderError';
}

/** Applying or pruning a child failed; retried with backoff. */
export class LabApplyError extends Error {
  override readonly name = 'LabApplyError';
}

/** The Degraded problem an error of a pass stands for. */
export function problemOf(error: unknown): LabProblem {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof LabSpecError) return { reason: Reason.InvalidSpec, message, retrying: false };
  if (error instanceof LabOwnershipError)
    return { reason: Reason.OwnedByAnotherLab, message, retrying: false };
  if (error instanceof LabRenderError) return { reason: Reason.RenderFailed, message, retrying: true };
  return { reason: Reason.ApplyFailed, message, retrying: true };
}
