import {
  findKubeBinaries,
  findNodeBinaries,
  kubeBinariesHint,
  kubeBinDirCandidates,
  kubeVersion,
  nodeBinariesHint,
  teardownLeftoverNode,
} from '@obslab/control-plane';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import {
  type ClusterPaths,
  type ClusterState,
  clusterPaths,
  isAlive,
  readClusterState,
} from './cluster-state.js';
import { LabError } from '../lab.error.js';
import { numberOption, seconds } from '../options/option.parsers.js';
import { clusterImagesCommand } from './cluster-images.command.js';

const daemonScript = fileURLToPath(new URL('./cluster.daemon.js', import.meta.url));
const progress = (message: string) => console.error(`lab cluster: ${message}`);

/** `lab cluster up|down|status`: a local control plane (etcd, kube-apiserver, kube-controller-manager) in the background. */
export function clusterCommand(): Command {
  const cluster = new Command('cluster').description(
    `Run a local Kubernetes ${kubeVersion} control plane (etcd, kube-apiserver, kube-controller-manager) on loopback, in the background. No nodes: pods stay Pending.`,
  );
  cluster
    .command('up')
    .description(
      'start the control plane in the background and print its kubeconfig (does nothing if it runs already)',
    )
    .addOption(
      numberOption('--timeout <seconds>', 'give up waiting for readiness after this long', seconds).default(
        90,
      ),
    )
    .addOption(
      numberOption(
        '--fake-nodes <count>',
        'kwok fake nodes, so pods get scheduled and Running (adds kube-scheduler and kwok)',
        { integer: true, min: 0, max: 100 },
      ).default(0),
    )
    .option(
      '--node',
      'a real node on this machine (root): containerd, kubelet, kube-proxy, CoreDNS and kube-network-policies; pods run for real on a bridge the cluster creates (then `lab cluster images`)',
    )
    .action(async (options: { timeout: number; fakeNodes: number; node?: boolean }) => {
      if (options.node && options.fakeNodes > 0) {
        throw new LabError(
          '--node and --fake-nodes do not go together',
          'choose one: a real node or fake ones',
          2,
        );
      }
      await clusterUp(clusterPaths(), options.timeout * 1000, options.fakeNodes, options.node ?? false);
    });
  cluster.addCommand(clusterImagesCommand());
  cluster
    .command('down')
    .description('stop the background control plane and delete its data')
    .action(async () => clusterDown(clusterPaths()));
  cluster
    .command('status')
    .description('say whether the control plane runs (exit code 1 when it does not)')
    .action(async () => clusterStatus(clusterPaths()));
  return cluster;
}

/** Starts the daemon unless one runs, waits for it to be ready, prints the kubeconfig. */
export async function clusterUp(
  paths: ClusterPaths,
  timeoutMs: number,
  fakeNodes = 0,
  node = false,
): Promise<void> {
  const existing = await liveState(paths);
  if (existing?.status === 'ready' && node && !existing.node) {
    throw new LabError(
      'a cluster without a real node runs already',
      'run `lab cluster down` first, then `lab cluster up --node`',
    );
  }
  if (existing?.status === 'ready') {
    progress(`already running (pid ${existing.daemonPid})`);
    printReady(existing);
    return;
  }
  if (!existing) {
    const binaries = findKubeBinaries();
    if (!binaries) {
      throw new LabError(
        `Kubernetes ${kubeVersion} binaries not found (looked in ${kubeBinDirCandidates().join(', ')})`,
        kubeBinariesHint,
      );
    }
    if (fakeNodes > 0 && !(binaries.kubeScheduler && binaries.kwok)) {
      throw new LabError(
        `--fake-nodes needs kube-scheduler and kwok, which ${binaries.binDir} lacks`,
        'run scripts/ensure-kube-binaries.sh (needs Go)',
      );
    }
    if (node) assertNodeCanRun(binaries);
    await removeLeftovers(paths);
    await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
    const log = openSync(paths.daemonLog, 'w');
    try {
      const daemon = spawn(
        process.execPath,
        [daemonScript, paths.stateDir, String(fakeNodes), node ? 'node' : 'no-node'],
        {
          detached: true,
          stdio: ['ignore', log, log],
        },
      );
      daemon.unref();
      progress(
        `starting etcd, kube-apiserver and kube-controller-manager ${kubeVersion}${node ? ', kube-scheduler and a real node' : ''} (pid ${daemon.pid}, log ${paths.daemonLog})`,
      );
    } finally {
      closeSync(log);
    }
  }
  const started = Date.now();
  let lastLine = '';
  let lastReport = started;
  for (;;) {
    const state = await readClusterState(paths);
    const line = lastLogLine(paths.daemonLog);
    if (line && (line !== lastLine || Date.now() - lastReport > 30_000)) {
      progress(line.replace(/^\S+ /, ''));
      lastLine = line;
      lastReport = Date.now();
    }
    if (state?.status === 'ready') {
      progress(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      printReady(state);
      return;
    }
    if (state?.status === 'failed' || (state && !isAlive(state.daemonPid))) {
      const reason =
        state.status === 'failed'
          ? state.error
          : `the background process exited; ${paths.daemonLog} ends with:\n${tail(paths.daemonLog)}`;
      await removeLeftovers(paths);
      throw new LabError(
        `the control plane did not start: ${reason}`,
        `fix the cause above and run \`lab cluster up\` again`,
      );
    }
    if (Date.now() - started > timeoutMs) {
      throw new LabError(
        `the control plane was not ready within ${timeoutMs / 1000} s; ${paths.daemonLog} ends with:\n${tail(paths.daemonLog)}`,
        'run `lab cluster down`, then `lab cluster up --timeout 300` on a slow machine',
      );
    }
    await sleep(200);
  }
}

/** Stops the daemon (SIGTERM, which stops the components), then removes the state directory. */
export async function clusterDown(paths: ClusterPaths): Promise<void> {
  assertRootForNode(paths);
  const state = await readClusterState(paths);
  if (!state) {
    progress('no control plane running');
    await rm(paths.stateDir, { recursive: true, force: true });
    return;
  }
  if (isAlive(state.daemonPid)) {
    progress(`stopping (pid ${state.daemonPid})`);
    signal(state.daemonPid, 'SIGTERM');
    const deadline = Date.now() + 20_000;
    while (isAlive(state.daemonPid) && Date.now() < deadline) await sleep(100);
  }
  await removeLeftovers(paths, state);
  progress('stopped and removed');
}

/** Prints the state; exit code 1 when nothing runs. */
export async function clusterStatus(paths: ClusterPaths): Promise<void> {
  const state = await liveState(paths);
  if (state?.status === 'ready') {
    const dead = state.processes.filter((p) => !isAlive(p.pid));
    console.log(
      `running: Kubernetes ${state.kubeVersion} at ${state.server} since ${state.startedAt} (pid ${state.daemonPid})`,
    );
    console.log(`kubeconfig: ${state.kubeconfigPath}`);
    if (state.node)
      console.log(
        `real node: ${state.node.name} (pods on ${state.node.podCidr}, containerd ${state.node.containerdSocket})`,
      );
    else if (state.nodes.length) console.log(`fake nodes: ${state.nodes.join(', ')}`);
    if (dead.length)
      throw new LabError(
        `${dead.map((p) => p.name).join(', ')} exited; see ${dead.map((p) => p.logFile).join(', ')}`,
        'run `lab cluster down` then `lab cluster up`',
      );
    return;
  }
  if (state?.status === 'starting') {
    console.log(`starting (pid ${state.daemonPid})`);
    return;
  }
  console.log('not running');
  throw new LabError('no control plane running', 'run `lab cluster up`');
}

/** The state of a daemon that is still alive, else undefined. */
async function liveState(paths: ClusterPaths): Promise<ClusterState | undefined> {
  const state = await readClusterState(paths);
  return state && state.status !== 'failed' && isAlive(state.daemonPid) ? state : undefined;
}

/** Kills whatever a crashed daemon left running and deletes the state directory. */
async function removeLeftovers(paths: ClusterPaths, known?: ClusterState): Promise<void> {
  const state = known ?? (await readClusterState(paths).catch(() => undefined));
  if (state) {
    signal(-state.daemonPid, 'SIGKILL');
    if (state.status === 'ready') for (const p of state.processes) signal(-p.pid, 'SIGKILL');
  }
  // A real node whose daemon died without its teardown: its bridge, mounts, nftables tables and
  // kernel settings are put back from the record it left.
  if (teardownLeftoverNode(paths.workDir)) progress('removed what a real node had left on this machine');
  await rm(paths.stateDir, { recursive: true, force: true, maxRetries: 3 });
}

/** A real node's leftovers (its host record) can only be removed by root. */
function assertRootForNode(paths: ClusterPaths): void {
  if (existsSync(join(paths.workDir, 'node-host.json')) && process.getuid?.() !== 0) {
    throw new LabError(
      'the cluster has a real node: stopping it needs root',
      'run `sudo npx lab cluster down`',
    );
  }
}

function assertNodeCanRun(binaries: NonNullable<ReturnType<typeof findKubeBinaries>>): void {
  if (process.getuid?.() !== 0) {
    throw new LabError(
      'a real node needs root (containerd, kubelet, bridges, nftables)',
      'run it as root, e.g. `sudo npx lab cluster up --node`',
    );
  }
  if (!binaries.node || !binaries.kubeScheduler || !binaries.kubectl) {
    throw new LabError(
      `kubelet, kube-proxy, kube-scheduler or kubectl missing in ${binaries.binDir}`,
      'run scripts/ensure-kube-binaries.sh --node (needs Go)',
    );
  }
  if (!findNodeBinaries())
    throw new LabError('CoreDNS and kube-network-policies not found', nodeBinariesHint);
  for (const [program, pkg] of [
    ['containerd', 'containerd'],
    ['runc', 'runc'],
    ['nft', 'nftables'],
  ] as const) {
    if (!onPath(program)) throw new LabError(`${program} not installed`, `apt-get install ${pkg}`);
  }
  if (!existsSync('/usr/lib/cni/bridge')) {
    throw new LabError(
      'the CNI plugins are not installed (/usr/lib/cni/bridge)',
      'apt-get install containernetworking-plugins',
    );
  }
}

function onPath(program: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${program}`));
}

function lastLogLine(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').at(-1) ?? '';
  } catch {
    return '';
  }
}

function printReady(state: Extract<ClusterState, { status: 'ready' }>): void {
  console.log(`Kubernetes ${state.kubeVersion} control plane at ${state.server}`);
  console.log(`kubeconfig: ${state.kubeconfigPath}`);
  console.log(`export KUBECONFIG=${state.kubeconfigPath}`);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
