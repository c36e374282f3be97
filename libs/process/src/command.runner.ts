import { spawn } from 'node:child_process';

/** Options of {@link run}. */
export interface RunOptions {
  /** Working directory. Default: the current one. */
  readonly cwd?: string;
  /** Environment of the child. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the child (SIGKILL) after this many milliseconds. Default: no limit. */
  readonly timeoutMs?: number;
  /** Aborts the child (SIGKILL) when signalled. */
  readonly signal?: AbortSignal;
  /** Written to the child's stdin, which is then closed. Default: stdin is closed at once. */
  readonly input?: string;
}

/** What a finished program printed. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

const tailLines = 20;

/** A program that could not start, exited non-zero, was killed, or timed out. */
export class CommandError extends Error {
  override readonly name = 'CommandError';

  constructor(
    readonly command: readonly string[],
    readonly cwd: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    reason: string,
  ) {
    const tail = stderr.trimEnd().split('\n').slice(-tailLines).join('\n');
    super(`\`${command.join(' ')}\` (in ${cwd}) ${reason}` + (tail ? `; stderr ends with:\n${tail}` : ''));
  }
}

/**
 * Runs `program` with an argument array (never through a shell), stdin closed so nothing waits
 * on a prompt, and resolves with its output. Rejects with a {@link CommandError} naming the
 * command, the working directory, the exit code and the tail of stderr.
 */
export function run(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const cwd = options.cwd ?? process.cwd();
  const command = [program, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    // Our own timer rather than spawn's `timeout`, which stays armed when the program cannot start
    // (ENOENT) and keeps the caller's process alive until it fires.
    let timedOut = false;
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs)
        : undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // A program may exit or close stdin before reading it: that EPIPE is not the program's failure.
    child.stdin.on('error', () => undefined);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reason =
        error.code === 'ENOENT'
          ? `could not start: ${program} is not installed or not on PATH`
          : `failed: ${error.message}`;
      reject(new CommandError(command, cwd, null, stderr, reason));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve({ stdout, stderr });
        return;
      }
      const reason = signal
        ? `was killed by ${signal}` + (timedOut ? ` (time limit ${options.timeoutMs} ms)` : '')
        : `exited with code ${code}`;
      reject(new CommandError(command, cwd, code, stderr, reason));
    });
  });
}
