import { readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What the background control plane (cluster.daemon.ts) reports in state.json. */
export type ClusterState =
  | { readonly status: 'starting'; readonly daemonPid: number; readonly startedAt: string }
  | {
      readonly status: 'ready';
      readonly daemonPid: number;
      readonly startedAt: string;
      readonly server: string;
      readonly kubeconfigPath: string;
      readonly kubeVersion: string;
      readonly nodes: readonly string[];
      /** The real node (`lab cluster up --node`). */
      readonly node?: { readonly name: string; readonly podCidr: string; readonly containerdSocket: string };
      readonly processes: readonly {
        readonly name: string;
        readonly pid: number;
        readonly logFile: string;
      }[];
    }
  | {
      readonly status: 'failed';
      readonly daemonPid: number;
      readonly startedAt: string;
      readonly error: string;
    };

/** Files of the background control plane. */
export interface ClusterPaths {
  readonly stateDir: string;
  readonly stateFile: string;
  readonly daemonLog: string;
  readonly workDir: string;
}

/** `${OBSLAB_CACHE:-~/.cache/obslab}/cluster`. */
export function clusterPaths(env: NodeJS.ProcessEnv = process.env): ClusterPaths {
  const stateDir = join(env['OBSLAB_CACHE'] || join(homedir(), '.cache', 'obslab'), 'cluster');
  return {
    stateDir,
    stateFile: join(stateDir, 'state.json'),
    daemonLog: join(stateDir, 'daemon.log'),
    workDir: join(stateDir, 'work'),
  };
}

/** The state file's content, or undefined when there is none. Other read errors are thrown. */
export async function readClusterState(paths: ClusterPaths): Promise<ClusterState | undefined> {
  let text: string;
  try {
    text = await readFile(paths.stateFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as ClusterState;
}

/** Replaces the state file atomically. */
export async function writeClusterState(paths: ClusterPaths, state: ClusterState): Promise<void> {
  const partial = `${paths.stateFile}.partial`;
  await writeFile(partial, JSON.stringify(state, null, 2) + '\n');
  await rename(partial, paths.stateFile);
}

/** Whether a process with this id exists (signal 0 probes without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
