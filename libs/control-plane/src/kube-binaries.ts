import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Absolute paths of the control-plane programs. */
export interface KubeBinaries {
  readonly binDir: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly etcd: string;
  /** kubectl of the same release, when the directory has one. */
  readonly kubectl: string | undefined;
  /** kube-scheduler, when the directory has one (needed for fake nodes). */
  readonly kubeScheduler: string | undefined;
  /** kwok, the fake-node simulator, and its stages file, when the directory has both (needed for fake nodes). */
  readonly kwok: { readonly program: string; readonly stages: string } | undefined;
  /** kubelet and kube-proxy, when the directory has both (needed for a real node: `ensure-kube-binaries.sh --node`). */
  readonly node: { readonly kubelet: string; readonly kubeProxy: string } | undefined;
}

/** What to do when {@link findKubeBinaries} finds nothing (one line). */
export const kubeBinariesHint =
  'run scripts/ensure-kube-binaries.sh (needs Go) or set KUBEBUILDER_ASSETS to a directory holding kube-apiserver, kube-controller-manager and etcd';

/** The Kubernetes release the harness is built and tested against (libs/control-plane/kube-version). */
export const kubeVersion: string = readFileSync(new URL('../kube-version', import.meta.url), 'utf8').trim();

/** Options of {@link findKubeBinaries}. */
export interface FindKubeBinariesOptions {
  /** Look only here. */
  readonly binDir?: string;
  /** Read KUBEBUILDER_ASSETS and OBSLAB_CACHE from here. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The cache directory scripts/ensure-kube-binaries.sh fills. */
export function cachedKubeBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env['OBSLAB_CACHE'] || join(homedir(), '.cache', 'obslab');
  return join(cacheRoot, 'kube', kubeVersion, 'bin');
}

/** The directories {@link findKubeBinaries} searches, in order. */
export function kubeBinDirCandidates(options: FindKubeBinariesOptions = {}): string[] {
  if (options.binDir) return [options.binDir];
  const env = options.env ?? process.env;
  const assets = env['KUBEBUILDER_ASSETS'];
  return [...(assets ? [assets] : []), cachedKubeBinDir(env)];
}

/**
 * Finds kube-apiserver, kube-controller-manager and etcd: in `binDir` if given, else in
 * KUBEBUILDER_ASSETS, else in the cache of scripts/ensure-kube-binaries.sh. Returns undefined
 * when no directory holds all three; {@link kubeBinariesHint} says what to do then.
 */
export function findKubeBinaries(options: FindKubeBinariesOptions = {}): KubeBinaries | undefined {
  for (const binDir of kubeBinDirCandidates(options)) {
    const path = (name: string) => join(binDir, name);
    if (['kube-apiserver', 'kube-controller-manager', 'etcd'].every((name) => isExecutable(path(name)))) {
      return {
        binDir,
        kubeApiserver: path('kube-apiserver'),
        kubeControllerManager: path('kube-controller-manager'),
        etcd: path('etcd'),
        kubectl: optional(path('kubectl')),
        kubeScheduler: optional(path('kube-scheduler')),
        kwok:
          isExecutable(path('kwok')) && existsSync(path('kwok-stages.yaml'))
            ? { program: path('kwok'), stages: path('kwok-stages.yaml') }
            : undefined,
        node:
          isExecutable(path('kubelet')) && isExecutable(path('kube-proxy'))
            ? { kubelet: path('kubelet'), kubeProxy: path('kube-proxy') }
            : undefined,
      };
    }
  }
  return undefined;
}

/** Thrown when the control-plane programs are missing. */
export class MissingKubeBinariesError extends Error {
  override readonly name = 'MissingKubeBinariesError';

  constructor(readonly searched: readonly string[]) {
    super(
      `Kubernetes ${kubeVersion} binaries not found (looked in ${searched.join(', ')}): ${kubeBinariesHint}`,
    );
  }
}

/** Like {@link findKubeBinaries}, but throws a {@link MissingKubeBinariesError} with the hint. */
export function requireKubeBinaries(options: FindKubeBinariesOptions = {}): KubeBinaries {
  const found = findKubeBinaries(options);
  if (!found) throw new MissingKubeBinariesError(kubeBinDirCandidates(options));
  return found;
}

function optional(path: string): string | undefined {
  return isExecutable(path) ? path : undefined;
}

/** Whether `path` is a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The `skip` option of a node:test suite that needs the binaries (with `extras`, also
 * kube-scheduler and kwok): a one-line reason when they are missing on a workstation, but never in
 * CI (`CI=true`), where a missing binary must fail the run rather than pass it as skipped.
 */
export function skipUnlessKubeBinaries(
  extras: readonly ('kubeScheduler' | 'kwok' | 'node')[] = [],
  env: NodeJS.ProcessEnv = process.env,
): string | false {
  if (['true', '1'].includes((env['CI'] ?? '').toLowerCase())) return false;
  const binaries = findKubeBinaries({ env });
  if (!binaries) return `Kubernetes binaries missing: ${kubeBinariesHint}`;
  const missing = extras.filter((name) => !binaries[name]);
  return missing.length > 0 ? `${missing.join(' and ')} missing: ${kubeBinariesHint}` : false;
}
