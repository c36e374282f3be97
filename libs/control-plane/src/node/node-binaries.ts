import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isExecutable } from '../kube-binaries.js';

/** Programs a real node runs besides kubelet and kube-proxy (scripts/ensure-node-binaries.sh builds them). */
export interface NodeBinaries {
  readonly binDir: string;
  readonly coredns: string;
  readonly networkPolicies: string;
  /** A static pause binary, the pod sandbox's image. */
  readonly pause: string;
}

/** What to do when {@link findNodeBinaries} finds nothing. */
export const nodeBinariesHint =
  'run scripts/ensure-node-binaries.sh (CoreDNS and kube-network-policies, needs Go) and scripts/ensure-kube-binaries.sh --node (kubelet, kube-proxy)';

/** Directories searched: OBSLAB_NODE_BIN_DIR, then every `node/<key>/bin` of the cache, most recently built first. */
export function nodeBinDirCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = env['OBSLAB_NODE_BIN_DIR'];
  if (explicit) return [explicit];
  const root = join(env['OBSLAB_CACHE'] || join(homedir(), '.cache', 'obslab'), 'node');
  let keys: string[] = [];
  try {
    keys = readdirSync(root)
      .map((key) => ({ key, built: statSync(join(root, key)).mtimeMs }))
      .sort((a, b) => b.built - a.built)
      .map(({ key }) => key);
  } catch {
    // No cache yet.
  }
  return keys.map((key) => join(root, key, 'bin'));
}

/** The node programs, or undefined when no candidate directory holds all three. */
export function findNodeBinaries(env: NodeJS.ProcessEnv = process.env): NodeBinaries | undefined {
  for (const binDir of nodeBinDirCandidates(env)) {
    const coredns = join(binDir, 'coredns');
    const networkPolicies = join(binDir, 'kube-network-policies');
    const pause = join(binDir, 'pause');
    if ([coredns, networkPolicies, pause].every(isExecutable))
      return { binDir, coredns, networkPolicies, pause };
  }
  return undefined;
}
