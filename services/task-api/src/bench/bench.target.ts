// The benchmark's targets: a server process started on a free port and waited for, and what /proc
// says about it (CPU time, resident memory).
import { freePort } from '@obslab/process';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TargetPlan {
  name: string;
  args: (port: number) => string[];
  env: NodeJS.ProcessEnv;
  /** The SQLite file it serves, for the large-table scenario; none for the in-memory ceiling. */
  database?: string;
}

export interface Target extends TargetPlan {
  child: ChildProcess;
  baseUrl: string;
  readyMs: number;
  peakRssMb: number;
  stop(): Promise<void>;
}

async function waitReady(baseUrl: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${baseUrl}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).status === 200) return performance.now() - started;
    } catch {
      // not yet listening
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Starts one target; with `profileDir`, under --cpu-prof into a folder named after it. */
export async function startTarget(plan: TargetPlan, profileDir?: string): Promise<Target> {
  const port = await freePort();
  const profile = profileDir;
  const profileArgs = profile
    ? ['--cpu-prof', `--cpu-prof-dir=${join(profile, plan.name.replace(/[^a-z0-9]+/gi, '-'))}`]
    : [];
  const started = performance.now();
  const child = spawn(process.execPath, [...profileArgs, ...plan.args(port)], {
    env: { PATH: process.env['PATH'], PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...plan.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(baseUrl, child, started);
  return {
    ...plan,
    child,
    baseUrl,
    readyMs,
    peakRssMb: 0,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** CPU time (user + system) the process has used so far, in milliseconds (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readProc(pid, 'stat').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readProc(pid, 'status'))?.[1] ?? 0) / 1024;
}

/** A /proc file of a target, or '' once the process is gone (load() then reports how it ended). */
function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}
