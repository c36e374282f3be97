import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** How a managed process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A long-running program in its own process group, its output in a log file. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Settles when the program has exited. */
  readonly exited: Promise<ProcessExit>;
  /** Whether it has exited already. */
  hasExited(): boolean;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the program has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole group, synchronously (for exit handlers). */
  killNow(): void;
  /** The last `lines` lines of the log file. */
  logTail(lines?: number): string;
}

/** Options of {@link startProcess}. */
export interface StartProcessOptions {
  readonly name: string;
  readonly program: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Spawns `program` detached (a new process group, so stop() also reaches anything it forks),
 * with stdin closed and stdout/stderr appended to `logFile`.
 */
export async function startProcess(options: StartProcessOptions): Promise<ManagedProcess> {
  const fd = openSync(options.logFile, 'a');
  const child = (() => {
    try {
      return spawn(options.program, options.args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
  })();
  const spawned = once(child, 'spawn').then(
    () => undefined,
    (error: Error) => error,
  );
  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve((exit = { code, signal })));
    child.once('error', () => resolve((exit = exit ?? { code: null, signal: null })));
  });
  const error = await spawned;
  if (error)
    throw new Error(`could not start ${options.name} (${options.program}): ${error.message}`, {
      cause: error,
    });
  const pid = child.pid!;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const logTail = (lines = 30) => {
    try {
      return readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    hasExited: () => exit !== undefined,
    logTail,
    killNow: () => signalGroup('SIGKILL'),
    async stop(graceMs = 5_000) {
      if (exit === undefined) {
        signalGroup('SIGTERM');
        const grace = new AbortController();
        const timedOut = sleep(graceMs, 'timeout' as const, { signal: grace.signal }).catch(
          () => 'exited' as const,
        );
        const outcome = await Promise.race([exited, timedOut]);
        grace.abort(); // do not keep the event loop alive for the rest of the grace period
        if (outcome === 'timeout') signalGroup('SIGKILL');
        await exited;
      }
      // Whatever the leader forked and left behind.
      signalGroup('SIGKILL');
    },
  };
}
