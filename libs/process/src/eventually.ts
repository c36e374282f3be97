import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** Give up after this many milliseconds. Default: 10 000. */
  readonly timeoutMs?: number;
  /** Wait this long between attempts. Default: 200. */
  readonly intervalMs?: number;
  /** Named in the timeout error. Default: "condition". */
  readonly description?: string;
}

/**
 * Calls `fn` until it resolves without throwing, and returns its value. Use it instead of
 * sleeping: assertions inside `fn` are retried until they hold. When the time runs out it
 * rejects with the last error as `cause`.
 */
export async function eventually<T>(fn: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      return await fn();
    } catch (error) {
      if (Date.now() + intervalMs > deadline) {
        const last = error instanceof Error ? error.message : String(error);
        throw new Error(
          `${options.description ?? 'condition'} did not hold within ${timeoutMs} ms (${attempts} attempts); last error: ${last}`,
          { cause: error },
        );
      }
    }
    await sleep(intervalMs);
  }
}
