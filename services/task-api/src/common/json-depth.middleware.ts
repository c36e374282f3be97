import type { NextFunction, Request, Response } from 'express';
import { validationFailure } from './validation.js';

/** Request bodies are flat objects: a few levels leave room for clear per-field errors. */
export const MAX_BODY_DEPTH = 8;

/** Whether `value` nests arrays or objects more than `depth` levels deep; stops at that depth. */
function deeperThan(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth === 0) return true;
  if (Array.isArray(value)) return value.some((item) => deeperThan(item, depth - 1));
  for (const key in value) if (deeperThan((value as Record<string, unknown>)[key], depth - 1)) return true;
  return false;
}

/**
 * Rejects parsed JSON bodies nested deeper than {@link MAX_BODY_DEPTH} before validation, whose
 * recursion would otherwise overflow the stack. Costs a walk of the body's top levels only.
 */
export function jsonDepthMiddleware() {
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (deeperThan(request.body, MAX_BODY_DEPTH)) {
      next(
        validationFailure([
          {
            field: 'body',
            problems: [`body must not nest arrays or objects more than ${MAX_BODY_DEPTH} levels deep`],
          },
        ]),
      );
      return;
    }
    next();
  };
}
