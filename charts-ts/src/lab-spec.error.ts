// Invalid lab options as a type: callers (the operator) catch LabSpecError by class and read the
// broken rules as data, never by matching message text.
import { type z } from 'zod';

/** One broken rule of the lab's options. */
export interface LabSpecProblem {
  /** Dotted path of the field, e.g. `storageSizes.loki` or `spec.taskApi.replicas`; `(root)` for the whole object. */
  readonly field: string;
  /** The rule that was broken: a zod issue code (`invalid_type`, `too_small`, `invalid_format`, …) or a named rule such as `sqlite-single-replica`. */
  readonly rule: string;
  /** What is wrong and what to do, without the field (see {@link formatLabSpecProblem}). */
  readonly message: string;
}

/** `field: message`. */
export const formatLabSpecProblem = (problem: LabSpecProblem) => `${problem.field}: ${problem.message}`;

/** Options of a lab that break one or more rules; thrown at synth time and by the operator's parsing. */
export class LabSpecError extends Error {
  override readonly name = 'LabSpecError';

  constructor(readonly problems: readonly LabSpecProblem[]) {
    super(problems.map(formatLabSpecProblem).join('; '));
  }

  /** The problems of a failed zod parse, each field prefixed with `prefix` (e.g. `spec.`). */
  static fromZod(error: z.ZodError, prefix = ''): LabSpecError {
    return new LabSpecError(
      error.issues.map((issue) => ({
        field: issue.path.length > 0 ? `${prefix}${issue.path.join('.')}` : `${prefix}(root)`,
        rule: ruleOf(issue),
        message: issue.message,
      })),
    );
  }
}

function ruleOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom') {
    const rule = (issue.params as { rule?: unknown } | undefined)?.rule;
    return typeof rule === 'string' ? rule : 'custom';
  }
  return issue.code === 'invalid_format' ? `${issue.code}:${issue.format}` : issue.code;
}
