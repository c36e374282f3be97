// The Events of a pass, as `kubectl describe olab` shows them: what it applied and pruned, and the
// transitions of its conditions (Ready, a Degraded reason, Deleting).
import { type EventRecorder } from '../runtime/events.js';
import { conditionOf } from './lab.status.js';
import { Reason, type LabStatus, type ObservabilityLab } from './lab.types.js';

/** Counts of one pass, for logs, metrics and the benchmark. */
export interface ReconcileReport {
  applied: number;
  pruned: number;
  unchanged: number;
}

/**
 * Records Applied and Pruned when the pass did either, and an event per condition that `after`
 * changed against the lab's current status (`after`: the status written, undefined when none was).
 */
export async function recordPassEvents(
  events: EventRecorder,
  lab: ObservabilityLab,
  after: LabStatus | undefined,
  report: ReconcileReport,
  deletingNote = 'deleting the lab',
): Promise<void> {
  if (report.applied > 0)
    await events.record(
      lab,
      'Normal',
      'Applied',
      'Apply',
      `applied ${report.applied} objects (${report.unchanged} unchanged)`,
    );
  if (report.pruned > 0)
    await events.record(
      lab,
      'Normal',
      'Pruned',
      'Prune',
      `removed ${report.pruned} objects no longer desired`,
    );
  for (const condition of after?.conditions ?? []) {
    const previous = conditionOf(lab.status, condition.type);
    if (previous?.status === condition.status && previous.reason === condition.reason) continue;
    if (condition.type === 'Ready' && condition.status === 'True') {
      await events.record(lab, 'Normal', Reason.AllComponentsReady, 'Reconcile', condition.message);
    } else if (condition.type === 'Ready' && condition.reason === Reason.Deleting) {
      await events.record(lab, 'Normal', Reason.Deleting, 'Delete', deletingNote);
    } else if (condition.type === 'Degraded' && condition.status === 'True') {
      await events.record(lab, 'Warning', condition.reason, 'Reconcile', condition.message);
    }
  }
}
