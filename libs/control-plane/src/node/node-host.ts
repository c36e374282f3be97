import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
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

/** Programs of a node (as /proc/<pid>/comm shows them, 15 characters at most). */
export const nodePrograms = [
  'kubelet',
  'containerd',
  'kube-proxy',
  'kube-network-po',
  'containerd-shim',
] as const;

/** Refuses to start beside another node's kubelet, kube-proxy or NetworkPolicy agent: they would fight over cgroups and rules. */
export function assertNoOtherNode(): void {
  for (const program of ['kubelet', 'kube-proxy', 'kube-network-po']) {
    const pids = processesNamed(program);
    if (pids.length > 0) {
      throw new Error(
        `${program} runs already on this machine (pid ${pids.join(', ')}): a second node would fight over its cgroups and firewall rules; stop it first (\`lab cluster down\`)`,
      );
    }
  }
}

/** Creates the bridge with the gateway address, up; packets between pods pass netfilter (Services, policies). */
export function createBridge(network: NodeNetwork): void {
  if (linkExists(network.bridge)) {
    throw new Error(
      `network interface ${network.bridge} exists already: another real node runs (\`lab cluster down\`) or a stale one is left (\`ip link del ${network.bridge}\`)`,
    );
  }
  const prefix = network.podCidr.split('/')[1] ?? '24';
  try {
    sh('ip', ['link', 'add', 'name', network.bridge, 'type', 'bridge']);
    sh('ip', ['addr', 'add', `${network.gateway}/${prefix}`, 'dev', network.bridge]);
    sh('ip', ['link', 'set', network.bridge, 'up']);
  } catch (error) {
    deleteBridge(network);
    throw error;
  }
  setSysctl('net/ipv4/ip_forward', '1');
  setSysctl('net/bridge/bridge-nf-call-iptables', '1');
}

/** The node's own nftables table: pods may talk to each other and to this machine, never beyond it. */
export const egressGuardTable = 'obslab-node';

/**
 * Drops whatever pods send through the bridge to anywhere but the bridge (ip_forward is on for the
 * pods, and they get a default route): nothing leaves the machine. Counted, so tests can see it.
 */
export function installEgressGuard(network: NodeNetwork): void {
  execFileSync('nft', ['-f', '-'], {
    input: `table inet ${egressGuardTable} {
  chain forward {
    type filter hook forward priority -10; policy accept;
    iifname "${network.bridge}" oifname != "${network.bridge}" counter drop comment "pods stay on this machine"
  }
}
`,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Packets the egress guard dropped so far. */
export function egressGuardDrops(): number {
  const text = sh('nft', ['list', 'table', 'inet', egressGuardTable]);
  return Number(/counter packets (\d+)/.exec(text)?.[1] ?? 'NaN');
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

/** The cgroup kubelet puts its pods under (`cgroupRoot`), in every hierarchy: the node's and nobody else's. */
export const nodeCgroupRoot = '/obslab-node';

const hierarchies = (): string[] => {
  try {
    return readdirSync('/sys/fs/cgroup').map((name) => join('/sys/fs/cgroup', name));
  } catch {
    return [];
  }
};

/** Creates the node's cgroup in every hierarchy (cpuset gets its parent's CPUs and memory nodes). */
export function createNodeCgroup(root = nodeCgroupRoot): void {
  for (const hierarchy of hierarchies()) {
    const dir = join(hierarchy, root);
    mkdirSync(dir, { recursive: true });
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const parent = join(hierarchy, file);
      if (existsSync(parent) && readFileSync(join(dir, file), 'utf8').trim() === '') {
        writeFileSync(join(dir, file), readFileSync(parent, 'utf8').trim());
      }
    }
  }
}

function cgroupTree(root: string): string[] {
  const dirs: string[] = [];
  const walk = (dir: string) => {
    dirs.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) walk(join(dir, entry.name));
  };
  for (const hierarchy of hierarchies()) {
    const dir = join(hierarchy, root);
    if (existsSync(dir)) walk(dir);
  }
  return dirs;
}

/** Kills every process in the node's cgroups (its containers), until none is left, then removes the cgroups. */
export function removeNodeCgroup(root = nodeCgroupRoot): void {
  for (let round = 0; round < 50; round += 1) {
    let alive = 0;
    for (const dir of cgroupTree(root)) {
      let pids: string[] = [];
      try {
        pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
      } catch {
        continue;
      }
      for (const pid of pids) {
        alive += 1;
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    }
    if (alive === 0) break;
    execFileSync('sleep', ['0.1']);
  }
  for (const dir of cgroupTree(root).sort((a, b) => b.length - a.length)) {
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

/** Whether the node's cgroup still exists in some hierarchy. */
export function nodeCgroupExists(root = nodeCgroupRoot): boolean {
  return hierarchies().some((hierarchy) => existsSync(join(hierarchy, root)));
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

/**
 * Kills the node's programs ({@link nodePrograms}) that belong to the node in `dir`: one of their
 * arguments is `dir`, lies below it, or is a flag whose value does (`--config=<dir>/…`).
 */
export function killNodePrograms(dir: string): void {
  const inside = (value: string) => value === dir || value.startsWith(`${dir}/`);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const comm = readFileSync(join('/proc', entry, 'comm'), 'utf8').trim();
      if (!(nodePrograms as readonly string[]).includes(comm)) continue;
      const args = readFileSync(join('/proc', entry, 'cmdline'), 'utf8').split('\0');
      if (args.some((arg) => inside(arg) || inside(arg.slice(arg.indexOf('=') + 1))))
        process.kill(Number(entry), 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
}

/** What the firewall holds before a node starts, so that teardown removes only what the node added. */
export interface FirewallSnapshot {
  /** `family name` of every nftables table. */
  readonly nftTables: readonly string[];
  /** `tool table chain` of every iptables chain named KUBE-*. */
  readonly kubeChains: readonly string[];
}

function nftTables(): string[] {
  try {
    return [...sh('nft', ['list', 'tables']).matchAll(/^table (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
  } catch {
    return [];
  }
}

const iptablesTools = ['iptables', 'ip6tables'] as const;
const iptablesTables = ['filter', 'nat', 'mangle'] as const;

function kubeChains(): string[] {
  const chains: string[] = [];
  for (const tool of iptablesTools) {
    for (const table of iptablesTables) {
      try {
        for (const m of sh(tool, ['-t', table, '-S']).matchAll(/^-N (KUBE-\S+)$/gm))
          chains.push(`${tool} ${table} ${m[1]}`);
      } catch {
        // No such table here.
      }
    }
  }
  return chains;
}

/** The firewall's tables and KUBE-* chains now. */
export function snapshotFirewall(): FirewallSnapshot {
  return { nftTables: nftTables(), kubeChains: kubeChains() };
}

/** Removes the nftables tables and KUBE-* iptables chains (and jumps into them) added since `before`. */
export function removeNodeFirewallRules(before: FirewallSnapshot): void {
  for (const table of nftTables()) {
    if (!before.nftTables.includes(table)) quiet('nft', ['delete', 'table', ...table.split(' ')]);
  }
  const added = kubeChains().filter((chain) => !before.kubeChains.includes(chain));
  for (const tool of iptablesTools) {
    for (const table of iptablesTables) {
      const chains = added.filter((c) => c.startsWith(`${tool} ${table} `)).map((c) => c.split(' ')[2]!);
      if (chains.length === 0) continue;
      for (const line of sh(tool, ['-t', table, '-S']).split('\n')) {
        const jump = /^-A (\S+) (.*-j (KUBE-\S+).*)$/.exec(line);
        if (jump && chains.includes(jump[3]!) && !chains.includes(jump[1]!))
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
