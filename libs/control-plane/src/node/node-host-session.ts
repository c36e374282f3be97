import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isExecutable } from '../kube-binaries.js';
import {
  assertNoOtherNode,
  createBridge,
  createNodeCgroup,
  defaultNodeNetwork,
  deleteBridge,
  deleteNetns,
  type FirewallSnapshot,
  installEgressGuard,
  killNodePrograms,
  listNetns,
  type NodeNetwork,
  nodeCgroupRoot,
  removeNodeCgroup,
  removeNodeFirewallRules,
  restoreSysctls,
  snapshotFirewall,
  snapshotSysctls,
  type SysctlSnapshot,
  unmountUnder,
} from './node-host.js';

/** The host side of a node, prepared before the API server starts (it listens on the bridge). */
export interface NodeHost {
  readonly network: NodeNetwork;
  readonly name: string;
  /** The node's folder: containerd's state, kubelet's root, logs, volumes. */
  readonly dir: string;
  /** The cgroup kubelet puts pods under. */
  readonly cgroupRoot: string;
  /** Undoes everything on the host (synchronous, for exit handlers too). */
  teardown(): void;
}

/** What the host looked like before the node started: teardown puts back exactly this. */
interface HostRecord {
  readonly network: NodeNetwork;
  readonly cgroupRoot: string;
  readonly sysctls: SysctlSnapshot;
  readonly netnsBefore: readonly string[];
  readonly firewall: FirewallSnapshot;
}

const nodeDir = (workDir: string) => join(workDir, 'node');
const recordPath = (workDir: string) => join(workDir, 'node-host.json');

/**
 * Checks the host (root, the programs, no other node), saves what it is about to change, and
 * creates the bridge, the pod cgroup, the egress guard and the node's folder. The record is written
 * before anything changes, so `lab cluster down` can put the host back even after a crash.
 */
export function prepareNodeHost(
  workDir: string,
  options: { network?: NodeNetwork; name?: string } = {},
): NodeHost {
  if (process.getuid?.() !== 0) {
    throw new Error('a real node needs root (containerd, kubelet, network setup): run as root');
  }
  for (const program of ['containerd', 'runc', 'ctr', 'nft', 'ip', 'iptables']) {
    if (!onPath(program)) {
      throw new Error(
        `${program} is not installed: apt-get install containerd runc containernetworking-plugins nftables iproute2 iptables`,
      );
    }
  }
  assertNoOtherNode();
  const network = options.network ?? defaultNodeNetwork;
  const record: HostRecord = {
    network,
    cgroupRoot: nodeCgroupRoot,
    sysctls: snapshotSysctls(),
    netnsBefore: listNetns(),
    firewall: snapshotFirewall(),
  };
  mkdirSync(nodeDir(workDir), { recursive: true, mode: 0o700 });
  writeFileSync(recordPath(workDir), JSON.stringify(record, null, 2));
  let done = false;
  const teardown = () => {
    if (done) return;
    done = true;
    teardownHost(workDir, record);
  };
  try {
    createBridge(network);
    installEgressGuard(network);
    createNodeCgroup(record.cgroupRoot);
  } catch (error) {
    teardown();
    throw error;
  }
  return {
    network,
    name: options.name ?? 'obslab-node',
    dir: nodeDir(workDir),
    cgroupRoot: record.cgroupRoot,
    teardown,
  };
}

/**
 * Kills the node's programs, then its containers, and undoes its changes to the host: mounts,
 * network namespaces, the firewall tables and chains it added, the bridge, the cgroup, kernel
 * settings, its folder.
 */
function teardownHost(workDir: string, record: HostRecord): void {
  const dir = nodeDir(workDir);
  killNodePrograms(dir); // kubelet and containerd first: nothing may start containers again
  removeNodeCgroup(record.cgroupRoot); // the containers
  killNodePrograms(dir); // shims whose containers just ended
  unmountUnder(dir);
  const before = new Set(record.netnsBefore);
  for (const netns of listNetns()) if (!before.has(netns) && netns.startsWith('cni-')) deleteNetns(netns);
  removeNodeFirewallRules(record.firewall);
  deleteBridge(record.network);
  restoreSysctls(record.sysctls);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  rmSync(recordPath(workDir), { force: true });
}

/**
 * Puts the host back after a node whose process died without its teardown (SIGKILL, a crash),
 * from the record it left in `workDir`. Returns whether there was one.
 */
export function teardownLeftoverNode(workDir: string): boolean {
  let record: HostRecord;
  try {
    record = JSON.parse(readFileSync(recordPath(workDir), 'utf8')) as HostRecord;
  } catch {
    return false;
  }
  teardownHost(workDir, record);
  return true;
}

function onPath(program: string): boolean {
  return (process.env['PATH'] ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && isExecutable(join(dir, program)));
}
