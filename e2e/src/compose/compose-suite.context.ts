// What the suites on a real dockerd share in one process: the workspace, the lab's image names,
// the one dockerd (started when none runs) and the one `lab images build` of the run.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '@obslab/process';
import { componentOf, formatImageRef, workspaceStack } from '@obslab/stack';
import { type DockerDaemon, ensureDockerd } from '../docker/docker.cli.js';
import { sinkService } from '../docker/otlp-sink.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const composeFile = join(root, 'compose/compose.yaml');
export const labJs = fileURLToPath(import.meta.resolve('@obslab/lab/bin/lab.js'));
const stack = workspaceStack(root);
export const imageOf = (name: Parameters<typeof componentOf>[1]) =>
  formatImageRef(componentOf(stack, name).image.image);
export const log = (line: string) => console.error(`# ${line}`);
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Components the suite turns off: their images are AGPL-licensed and not built here. */
export const turnedOff = ['grafana', 'tempo', 'loki'] as const;
/** What runs: every other service of the default (SQLite) lab, the Collector's health sidecar, the sink. */
export const services = [
  'frontend',
  'task-api',
  'otel-collector',
  'otel-collector-health',
  'prometheus',
  sinkService,
];

export async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const value = await fn();
  log(`${what}: ${seconds(Date.now() - started)}`);
  return value;
}

let daemon: Promise<DockerDaemon> | undefined;
/** The dockerd of every suite in this process: the first call starts one if none runs. */
export function dockerd(): Promise<DockerDaemon> {
  daemon ??= timed('dockerd ready', () => ensureDockerd(log));
  return daemon;
}

/** Stops the dockerd if a suite of this process started it. */
export async function stopDockerd(): Promise<void> {
  const started = await daemon?.catch(() => undefined);
  if (started?.startedHere) await timed('dockerd stopped', () => started.stop());
}

let images: Promise<void> | undefined;
/** `lab images build` (every image, once per run): the real CLI, as a user runs it. */
export function labImagesBuild(): Promise<void> {
  images ??= timed('lab images build', async () => {
    const { stdout, stderr } = await run(process.execPath, [labJs, 'images', 'build'], {
      cwd: root,
      timeoutMs: 45 * 60_000,
    });
    for (const line of stderr.trimEnd().split('\n')) log(line);
    for (const line of stdout.trimEnd().split('\n')) log(line);
  });
  return images;
}
