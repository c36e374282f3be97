import { eventually, freePort } from '@obslab/process';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** task-api's entry point in the workspace, as `npm start` runs it. */
export const TASK_API_MAIN = fileURLToPath(new URL('../../../task-api/dist/main.js', import.meta.url));

/** The built UI (vite's output). */
export const UI_DIST = fileURLToPath(new URL('../../dist/public', import.meta.url));

/** task-api in a child process on a free loopback port with a fresh SQLite DATA_DIR. */
export interface TaskApiProcess {
  readonly baseUrl: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Parsed JSON log lines written to stdout so far. */
  logs(): Record<string, unknown>[];
  noise(): string;
  stop(): Promise<void>;
}

export async function startTaskApi(env: NodeJS.ProcessEnv = {}): Promise<TaskApiProcess> {
  if (!existsSync(TASK_API_MAIN)) {
    throw new Error(`${TASK_API_MAIN} is missing: build task-api first (npx nx run task-api:build)`);
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'obslab-frontend-task-api-'));
  const child = spawn(process.execPath, [TASK_API_MAIN], {
    env: { PATH: process.env['PATH'], HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, ...env },
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
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`task-api exited with ${child.exitCode}: ${noise}`);
        const response = await fetch(`${baseUrl}/health/live`);
        if (!response.ok) throw new Error(`/health/live answered ${response.status}`);
      },
      { timeoutMs: 30_000, intervalMs: 100, description: 'task-api answers /health/live' },
    );
  } catch (error) {
    child.kill('SIGKILL');
    await stop();
    throw error;
  }
  return { baseUrl, port, child, logs: () => lines, noise: () => noise, stop };
}

/** The request log lines of task-api (one per request, with `trace_id` inside a traced request). */
export function requestLines(logs: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return logs.filter((line) => line['msg'] === 'request');
}
