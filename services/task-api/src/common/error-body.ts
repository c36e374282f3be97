/** A problem with one input field. */
export interface FieldProblem {
  field: string;
  problems: string[];
}

/** Every error response body: a message naming what was wrong, and per-field details. */
export interface ErrorBody {
  error: string;
  details?: FieldProblem[];
}
