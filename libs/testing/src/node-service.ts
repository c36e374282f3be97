import { freePort } from '@obslab/process';
import { type ChildProcess, spawn } from 'node:child_process';

/** A Node program started as a child process (as users run it) on a free loopback port. */
export interface NodeService {
  readonly baseUrl: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Parsed JSON log lines written to stdout so far. */
  logs(): Record<string, unknown>[];
  /** Everything written to stdout that was not JSON, and all of stderr. */
  noise(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (default SIGTERM) unless it has exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface NodeServiceOptions {
  /** The program's entry point. */
  readonly script: string;
  /** Its environment, besides PATH, HOST=127.0.0.1 and PORT (a free port unless given). */
  readonly env?: NodeJS.ProcessEnv;
  /** Polled until it answers 2xx (default /health/live). */
  readonly readyPath?: string;
  readonly timeoutMs?: number;
}

/** Starts `node <script>` and waits until it answers `readyPath`; fails with its output if it exits first. */
export async function startNodeService(options: NodeServiceOptions): Promise<NodeService> {
  const { script, env = {}, readyPath = '/health/live', timeoutMs = 30_000 } = options;
  const port = env['PORT'] ? Number(env['PORT']) : await freePort();
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env['PATH'], HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let noise = '';
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        noise += `${line}\n`;
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (noise += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const exit = { early: false };
  void exited.then(() => (exit.early = true));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit.early) throw new Error(`${script} exited during start: ${noise}`);
    try {
      if ((await fetch(`${baseUrl}${readyPath}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${script} did not answer ${readyPath} within ${timeoutMs} ms: ${noise}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    baseUrl,
    port,
    child,
    logs: () => lines,
    noise: () => noise,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
