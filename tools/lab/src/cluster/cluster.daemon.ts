/**
 * The background process behind `lab cluster up`: starts the control plane, reports through
 * state.json, and stops it on SIGTERM/SIGINT (`lab cluster down`). Usage: node cluster.daemon.js <stateDir>
 */
import { startControlPlane, kubeVersion, type ControlPlane } from '@obslab/control-plane';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ClusterPaths, writeClusterState } from './cluster-state.js';

const stamp = (message: string) => console.log(`${new Date().toISOString()} ${message}`);

async function runDaemon(stateDir: string, fakeNodes: number, node: boolean): Promise<void> {
  const paths: ClusterPaths = {
    stateDir,
    stateFile: join(stateDir, 'state.json'),
    daemonLog: join(stateDir, 'daemon.log'),
    workDir: join(stateDir, 'work'),
  };
  const startedAt = new Date().toISOString();
  const daemonPid = process.pid;
  let controlPlane: ControlPlane | undefined;
  let stopRequested = false;
  const keepAlive = setInterval(() => undefined, 1 << 30);

  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopRequested) return;
    stopRequested = true;
    stamp(`${signal}: stopping the control plane`);
    await controlPlane?.stop();
    await rm(paths.stateFile, { force: true });
    clearInterval(keepAlive);
    stamp('stopped');
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, (s) => void shutdown(s));
  }

  await writeClusterState(paths, { status: 'starting', daemonPid, startedAt });
  try {
    controlPlane = await startControlPlane({ workDir: paths.workDir, fakeNodes, node, log: stamp });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    stamp(`failed: ${message}`);
    await writeClusterState(paths, { status: 'failed', daemonPid, startedAt, error: message });
    clearInterval(keepAlive);
    process.exitCode = 1;
    return;
  }
  if (stopRequested) {
    await controlPlane.stop();
    return;
  }
  await writeClusterState(paths, {
    status: 'ready',
    daemonPid,
    startedAt,
    server: controlPlane.server,
    kubeconfigPath: controlPlane.kubeconfigPath,
    kubeVersion,
    nodes: controlPlane.nodes,
    ...(controlPlane.node
      ? {
          node: {
            name: controlPlane.node.name,
            podCidr: controlPlane.node.network.podCidr,
            containerdSocket: controlPlane.node.containerdSocket,
          },
        }
      : {}),
    processes: controlPlane.processes,
  });
}

const [stateDir, fakeNodes = '0', node = 'no-node'] = process.argv.slice(2);
if (!stateDir || !/^\d+$/.test(fakeNodes) || !['node', 'no-node'].includes(node)) {
  console.error(
    'usage: cluster.daemon.js <stateDir> [fakeNodes] [node|no-node] (started by `lab cluster up`)',
  );
  process.exitCode = 2;
} else {
  await runDaemon(stateDir, Number(fakeNodes), node === 'node');
}
