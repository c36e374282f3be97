// The docker CLI for the e2e suites: argument arrays through @obslab/process's run(), a dockerd
// that is started when none runs (and stopped again), and the repository's scripts that make the
// local base images and Compose v2.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { eventually, run, type RunOptions, type RunResult } from '@obslab/process';

/** Debian's docker CLI (20.10), which accepts CLI plugins; another `docker` may come first on PATH. */
export const dockerProgram =
  process.env.DOCKER ?? (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker');

function onPath(program: string): boolean {
  if (program.includes('/')) return existsSync(program);
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && existsSync(join(dir, program)));
}

/**
 * Why Docker cannot run here, or `false` when it can (a daemon answers, or this process may start
 * one). Synchronous, for node:test's `skip`. With CI=true nothing is skipped: the suite must fail.
 */
export function dockerSkipReason(): string | false {
  if (process.env.CI === 'true') return false;
  if (!onPath(dockerProgram)) return `no docker CLI (${dockerProgram}): apt-get install docker.io`;
  if (existsSync('/var/run/docker.sock')) return false;
  if (!onPath('dockerd')) return 'no dockerd to start: apt-get install docker.io';
  if (process.getuid?.() !== 0) return 'dockerd is not running and starting it needs root';
  return false;
}

/** Options of {@link docker}. */
export interface DockerOptions extends RunOptions {
  /** A DOCKER_CONFIG directory (its cli-plugins/docker-compose is the Compose to use). */
  readonly dockerConfig?: string;
}

/** Runs `docker <args>` (BuildKit on). */
export function docker(args: readonly string[], options: DockerOptions = {}): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), DOCKER_BUILDKIT: '1' };
  if (options.dockerConfig) env.DOCKER_CONFIG = options.dockerConfig;
  return run(dockerProgram, args, { ...options, env });
}

/** A dockerd this process started, or the one that already ran. */
export interface DockerDaemon {
  readonly startedHere: boolean;
  /** Stops the daemon if this process started it; safe twice. */
  stop(): Promise<void>;
}

/**
 * Makes sure a Docker daemon answers: uses the running one, else starts
 * `dockerd --iptables=false --ip6tables=false` (no NAT: builds use --network host) in its own
 * process group, logging to a temp file, and waits for it.
 */
export async function ensureDockerd(log: (line: string) => void): Promise<DockerDaemon> {
  try {
    await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
    return { startedHere: false, stop: () => Promise.resolve() };
  } catch {
    // Not running: start one below.
  }
  const logFile = join(mkdtempSync(join(tmpdir(), 'obslab-dockerd-')), 'dockerd.log');
  log(`starting dockerd (log: ${logFile})`);
  const out = openSync(logFile, 'a');
  const child = spawn('dockerd', ['--iptables=false', '--ip6tables=false'], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.unref();
  await eventually(() => docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 5_000 }), {
    timeoutMs: 60_000,
    intervalMs: 500,
    description: `dockerd answers (see ${logFile})`,
  });
  let stopped = false;
  return {
    startedHere: true,
    async stop() {
      if (stopped || child.pid === undefined) return;
      stopped = true;
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), 30_000).unref(),
      );
      if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
    },
  };
}

/** Runs a repository script with bash and returns the last line of its stdout. */
async function lastLineOf(script: string, cwd: string, timeoutMs: number): Promise<string> {
  const { stdout } = await run('bash', [script], { cwd, timeoutMs });
  return stdout.trimEnd().split('\n').at(-1) ?? '';
}

/**
 * scripts/ensure-compose.sh: Compose v2 (built from its Go module once, then cached). Returns a
 * DOCKER_CONFIG directory whose CLI plugin is that Compose, or `undefined` when the docker CLI
 * already has a v2 plugin.
 */
export async function ensureComposeV2(workspaceRoot: string): Promise<string | undefined> {
  const dir = await lastLineOf('scripts/ensure-compose.sh', workspaceRoot, 20 * 60_000);
  return dir === '' ? undefined : dir;
}

/** scripts/build-base-images.sh: the obslab-local/* base images (built, or loaded from the cache). */
export async function ensureBaseImages(workspaceRoot: string): Promise<void> {
  await run('bash', ['scripts/build-base-images.sh'], { cwd: workspaceRoot, timeoutMs: 20 * 60_000 });
}
