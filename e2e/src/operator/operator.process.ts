// Runs the real operator as users do (`lab operator run`), as a child process of the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { eventually, freePort } from '@obslab/process';

/** A running `lab operator run` process. */
export interface OperatorProcess {
  readonly name: string;
  readonly probesUrl: string;
  readonly logFile: string;
  readonly pid: number;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Text of /metrics. */
  metrics(): Promise<string>;
  /** Value of a metric line without labels, or summed over every series matching `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** SIGTERM, then waits for the exit; SIGKILL after 15 s. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL now. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface OperatorProcessOptions {
  readonly workspaceRoot: string;
  readonly kubeconfig: string;
  readonly name: string;
  readonly logDir: string;
  readonly args?: readonly string[];
  /** Wait for /readyz. Default: true. */
  readonly waitReady?: boolean;
}

export async function startOperatorProcess(options: OperatorProcessOptions): Promise<OperatorProcess> {
  const port = await freePort();
  const probesUrl = `http://127.0.0.1:${port}`;
  const logFile = join(options.logDir, `${options.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(options.workspaceRoot, 'tools/lab/bin/lab.js'),
      'operator',
      'run',
      '--kubeconfig',
      options.kubeconfig,
      '--identity',
      options.name,
      '--probes-address',
      `127.0.0.1:${port}`,
      ...(options.args ?? []),
    ],
    {
      cwd: options.workspaceRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: '' },
    },
  );
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const metrics = async () => {
    const response = await fetch(`${probesUrl}/metrics`);
    if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
    return response.text();
  };
  const operator: OperatorProcess = {
    name: options.name,
    probesUrl,
    logFile,
    pid: child.pid!,
    exited,
    metrics,
    metric: async (name, labels = {}) => {
      const text = await metrics();
      let sum = 0;
      for (const line of text.split('\n')) {
        const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
        if (!match || match[1] !== name) continue;
        const series = match[2] ?? '';
        if (Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`))) sum += Number(match[3]);
      }
      return sum;
    },
    stop: async () => {
      if (!done) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    kill: async () => {
      if (!done) child.kill('SIGKILL');
      return exited;
    },
  };
  if (options.waitReady ?? true) {
    await eventually(
      async () => {
        if (done) throw new Error(`the operator exited early; see ${logFile}`);
        const response = await fetch(`${probesUrl}/readyz`);
        if (response.status !== 200) throw new Error(`/readyz answered ${response.status}`);
      },
      { timeoutMs: 30_000, intervalMs: 200, description: `${options.name} is ready (${logFile})` },
    );
  }
  return operator;
}
