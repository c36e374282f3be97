import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

/**
 * How long task-api waits at start for a database server that is not reachable yet (PostgreSQL
 * starting beside it, its Service without endpoints): within the 60 s start-up probe of the
 * manifests, so an orderless start costs no container restart.
 */
export const databaseStartWaitMs = 45_000;

/** Errors that mean "not reachable yet" rather than "wrong": name resolution, connection, start-up. */
const transientCodes = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  '57P03', // PostgreSQL: the database system is starting up
]);

/** Whether an error (or one of its causes) says the server is not reachable yet. */
export function isTransientConnectError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && transientCodes.has(code)) return true;
    if (
      /timeout exceeded when trying to connect|Connection terminated/i.test((current as Error).message ?? '')
    )
      return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Calls `open` until it succeeds, retrying only while the database is not reachable yet (backoff
 * 0.5 s doubling to 4 s) for at most `waitMs`; a wrong password or a failed migration fails at once.
 */
export async function openWhenReachable(
  open: () => Promise<DataSource>,
  logger: Pick<Logger, 'warn'>,
  waitMs = databaseStartWaitMs,
  pause: (ms: number) => Promise<unknown> = sleep,
): Promise<DataSource> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 1, delay = 500; ; attempt += 1, delay = Math.min(delay * 2, 4_000)) {
    try {
      return await open();
    } catch (error) {
      if (!isTransientConnectError(error) || Date.now() + delay > deadline) throw error;
      logger.warn(
        { attempt, retry_in_ms: delay, err: (error as Error).message },
        'database not reachable yet: retrying',
      );
      await pause(delay);
    }
  }
}
