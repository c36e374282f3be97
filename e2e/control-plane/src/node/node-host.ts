import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a real node changes on the host, and how it is put back. Everything here is synchronous
 * so that the same teardown also runs from an exit handler.
 */

/** The node's own network: a Linux bridge the harness creates, pods on it, the node's address its gateway. */
export interface NodeNetwork {
  /** Bridge name (at most 15 characters). */
  readonly bridge: string;
  /** Pod CIDR on the bridge, a /24. */
  readonly podCidr: string;
  /** The bridge's address: the node IP, where kubelet, the API server and CoreDNS listen for pods. */
  readonly gateway: string;
}

/** Default node network: a /24 of kubeadm-like pod space that nothing else on the machine uses. */
export const defaultNodeNetwork: NodeNetwork = {
  bridge: 'obslab-br0',
  podCidr: '10.244.77.0/24',
  gateway: '10.244.77.1',
};

/**
 * Kernel settings the node needs or that its programs change (kubelet sets overcommit and panic
 * behaviour, kube-proxy conntrack limits); each is saved before and restored on teardown.
 */
export const nodeSysctls = [
  'net/ipv4/ip_forward',
  'net/bridge/bridge-nf-call-iptables',
  'net/bridge/bridge-nf-call-ip6tables',
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'net/netfilter/nf_conntrack_max',
  'net/netfilter/nf_conntrack_tcp_timeout_established',
  'net/netfilter/nf_conntrack_tcp_timeout_close_wait',
  'net/ipv4/conf/all/route_localnet',
] as const;

/** Values of {@link nodeSysctls} before the node started (missing ones left out). */
export type SysctlSnapshot = Readonly<Record<string, string>>;

const sysctlPath = (name: string) => join('/proc/sys', name);

/** Reads the current values of {@link nodeSysctls}. */
export function snapshotSysctls(): SysctlSnapshot {
  const values: Record<string, string> = {};
  for (const name of nodeSysctls) {
    try {
      values[name] = readFileSync(sysctlPath(name), 'utf8').trim();
    } catch {
      // Not on this kernel: nothing to restore.
    }
  }
  return values;
}

/** Writes the saved values back; returns the names that could not be restored. */
export function restoreSysctls(snapshot: SysctlSnapshot): string[] {
  const failed: string[] = [];
  for (const [name, value] of Object.entries(snapshot)) {
    try {
      if (readFileSync(sysctlPath(name), 'utf8').trim() !== value) writeFileSync(sysctlPath(name), value);
    } catch {
      failed.push(name);
    }
  }
  return failed;
}

/** Sets one sysctl (slash-separated name). */
export function setSysctl(name: string, value: string): void {
  writeFileSync(sysctlPath(name), value);
}

const sh = (program: string, args: readonly string[]) =>
  execFileSync(program, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 30_000 });

const quiet = (program: string, args: readonly string[]): boolean => {
  try {
    sh(program, args);
    return true;
  } catch {
    return false;
  }
};

/** Whether a network interface of this name exists. */
export function linkExists(name: string): boolean {
  return existsSync(join('/sys/class/net', name));
}

/** Creates the bridge with the gateway address, up; packets between pods pass netfilter (Services, policies). */
export function createBridge(network: NodeNetwork): void {
  const kubelets = processesNamed('kubelet');
  if (kubelets.length > 0) {
    throw new Error(
      `a kubelet runs already on this machine (pid ${kubelets.join(', ')}): two nodes would fight over the kubepods cgroups; stop it first (\`lab cluster down\`)`,
    );
  }
  if (linkExists(network.bridge)) {
    throw new Error(
      `network interface ${network.bridge} exists already: another real node runs (\`lab cluster down\`) or a stale one is left (\`ip link del ${network.bridge}\`)`,
    );
  }
  const prefix = network.podCidr.split('/')[1] ?? '24';
  sh('ip', ['link', 'add', 'name', network.bridge, 'type', 'bridge']);
  sh('ip', ['addr', 'add', `${network.gateway}/${prefix}`, 'dev', network.bridge]);
  sh('ip', ['link', 'set', network.bridge, 'up']);
  setSysctl('net/ipv4/ip_forward', '1');
  setSysctl('net/bridge/bridge-nf-call-iptables', '1');
}

/** Network namespaces (names under /run/netns). */
export function listNetns(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

/** Mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const decode = (field: string) =>
    field.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => decode(line.split(' ')[1] ?? ''))
    .filter((mount) => mount === dir || mount.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `dir` (lazily when busy). */
export function unmountUnder(dir: string): void {
  for (const mount of mountsUnder(dir)) {
    if (!quiet('umount', [mount])) quiet('umount', ['-l', mount]);
  }
}

/** Processes whose cgroup (any v1 hierarchy) is `kubepods` or below: every container of the node. */
function kubepodsCgroupDirs(): string[] {
  const dirs: string[] = [];
  let controllers: string[];
  try {
    controllers = readdirSync('/sys/fs/cgroup');
  } catch {
    return dirs;
  }
  const walk = (dir: string) => {
    dirs.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
    }
  };
  for (const controller of controllers) {
    const root = join('/sys/fs/cgroup', controller, 'kubepods');
    if (existsSync(root)) walk(root);
  }
  return dirs;
}

/** Kills every process in the kubepods cgroups, then removes the cgroups (deepest first). */
export function removePodCgroups(): void {
  const dirs = kubepodsCgroupDirs();
  for (const dir of dirs) {
    let pids: string[] = [];
    try {
      pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
  for (const dir of dirs.sort((a, b) => b.length - a.length)) {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      try {
        rmdirSync(dir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') break;
        execFileSync('sleep', ['0.05']);
      }
    }
  }
}

/** Pids of running processes with this command name (`/proc/<pid>/comm`), zombies left out. */
export function processesNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (comm === name && state !== 'Z') pids.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return pids;
}

/** Kills processes whose command line contains `marker` (the node's own containerd shims). */
export function killProcessesMentioning(marker: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(join('/proc', entry, 'cmdline'), 'utf8')
        .split('\0')
        .join(' ');
      if (cmdline.includes(marker)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // Exited meanwhile, or not ours to read.
    }
  }
}

/** nftables tables the node's programs create: kube-proxy's and the NetworkPolicy agent's. */
export const nodeNftTables = [
  ['ip', 'kube-proxy'],
  ['ip6', 'kube-proxy'],
  ['inet', 'kube-network-policies'],
  ['ip', 'kube-network-policies'],
] as const;

/** Removes the nftables tables and the iptables chains (KUBE-*) kubelet leaves for its canary. */
export function removeNodeFirewallRules(): void {
  for (const [family, table] of nodeNftTables) quiet('nft', ['delete', 'table', family, table]);
  for (const tool of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'nat', 'mangle']) {
      let rules: string;
      try {
        rules = sh(tool, ['-t', table, '-S']);
      } catch {
        continue;
      }
      const chains = [...rules.matchAll(/^-N (KUBE-\S+)$/gm)].map((m) => m[1]!);
      for (const line of rules.split('\n')) {
        const jump = /^-A (\S+) (.*-j (KUBE-\S+).*)$/.exec(line);
        if (jump && !jump[1]!.startsWith('KUBE-'))
          quiet(tool, ['-t', table, '-D', jump[1]!, ...splitRule(jump[2]!)]);
      }
      for (const chain of chains) quiet(tool, ['-t', table, '-F', chain]);
      for (const chain of chains) quiet(tool, ['-t', table, '-X', chain]);
    }
  }
}

function splitRule(rule: string): string[] {
  return [...rule.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** Deletes a network namespace created while the node ran. */
export function deleteNetns(name: string): void {
  quiet('ip', ['netns', 'delete', name]);
}

/** Deletes the bridge (veths of deleted namespaces are gone with them). */
export function deleteBridge(network: NodeNetwork): void {
  if (linkExists(network.bridge)) quiet('ip', ['link', 'delete', network.bridge]);
}
