// The host as the real node leaves it: what the suite compares before and after, and which
// processes still name the node's directory; the suite's skip reason and the images it imports.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { skipUnlessKubeBinaries, snapshotSysctls } from '@obslab/control-plane';
import { run } from '@obslab/process';
import { dockerProgram, dockerSkipReason } from '../docker/docker.cli.js';
import { type Pod } from './kube.js';

export function skipReason(): string | false {
  if (process.env.CI === 'true') return false;
  if (process.getuid?.() !== 0) return 'a real node needs root';
  return skipUnlessKubeBinaries(['kubeScheduler', 'node']) || dockerSkipReason();
}

/** Images `lab images build` labels as its own: every image the node needs, the pause image included. */
export async function labImages(): Promise<string[]> {
  const { stdout } = await run(dockerProgram, [
    'images',
    '--filter',
    'label=dev.obslab.built-by=lab-images-build',
    '--format',
    '{{.Repository}}:{{.Tag}}',
  ]);
  return [...new Set(stdout.split('\n').filter((ref) => ref && !ref.includes('<none>')))];
}

export function taskApiImage(pods: readonly Pod[]): string {
  const pod = pods[0] as unknown as { spec: { containers: { image: string }[] } };
  return pod.spec.containers[0]!.image;
}

/** What a node changes on the host and must put back: see {@link hostState}. */
export interface HostState {
  readonly nftTables: string[];
  readonly kubeChains: string[];
  readonly netns: string[];
  readonly sysctls: ReturnType<typeof snapshotSysctls>;
}

/** What a node changes on the host and must put back: firewall tables and chains, network namespaces, kernel settings. */
export async function hostState(): Promise<HostState> {
  const { stdout: tables } = await run('nft', ['list', 'tables']);
  const chains: string[] = [];
  for (const tool of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'nat', 'mangle']) {
      const { stdout } = await run(tool, ['-t', table, '-S']);
      chains.push(
        ...stdout
          .split('\n')
          .filter((line) => line.includes('KUBE-'))
          .map((line) => `${tool} ${table} ${line}`),
      );
    }
  }
  const netns = existsSync('/run/netns') ? readdirSync('/run/netns').sort() : [];
  return {
    nftTables: tables.trim().split('\n').sort(),
    kubeChains: chains,
    netns,
    sysctls: snapshotSysctls(),
  };
}

/** Pids whose command line names `dir`. */
export function processesMentioning(dir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}
