// The real-node suite's cluster, started once for all its tests: dockerd, `lab images build`, the
// control plane with a real node (the images imported into its containerd), kubectl, port-forwards,
// and how a lab variant is synthesized and applied. stop() leaves the host as it found it.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distFilesOf, type LabChartProps, synthLab } from '@obslab/charts-ts';
import { type ControlPlane, pauseImage, startControlPlane } from '@obslab/control-plane';
import { run } from '@obslab/process';
import { type DockerDaemon, ensureDockerd } from '../docker/docker.cli.js';
import { type HostState, hostState, labImages } from './host-state.js';
import { Kube, type PortForward } from './kube.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const labJs = fileURLToPath(import.meta.resolve('@obslab/lab/bin/lab.js'));
export const log = (line: string) => console.log(`[node e2e] ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const agplOff = { grafana: false, tempo: false, loki: false } as const;

/** The cluster every test of the suite uses; its methods are bound, so they may be destructured. */
export class NodeCluster {
  readonly forwards: PortForward[] = [];
  readonly timings: [string, string][] = [];
  workDir = '';
  daemon: DockerDaemon | undefined;
  cp: ControlPlane | undefined;
  /** The host before the node came (after dockerd, which turns ip_forward on). */
  hostBefore: HostState | undefined;
  #kube: Kube | undefined;

  get kube(): Kube {
    if (!this.#kube) throw new Error('the cluster did not start (see the before hook)');
    return this.#kube;
  }

  readonly timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const value = await fn();
    this.timings.push([what, seconds(Date.now() - started)]);
    log(`${what}: ${seconds(Date.now() - started)}`);
    return value;
  };

  readonly forward = async (namespace: string, target: string, port: number): Promise<PortForward> => {
    const pf = await this.kube.portForward(namespace, target, port);
    this.forwards.push(pf);
    return pf;
  };

  readonly deleteNamespace = async (namespace: string): Promise<void> => {
    await this.kube.kubectl(['delete', 'namespace', namespace, '--wait=true', '--timeout=180s']);
  };

  /** Renders one variant of the lab like `npm run synth` does and applies the directory as a user would. */
  readonly applyLab = async (
    namespace: string,
    props: LabChartProps,
    secrets: Record<string, Record<string, string>> = {},
  ): Promise<void> => {
    const dir = join(this.workDir, 'manifests', namespace);
    await mkdir(dir, { recursive: true });
    const files = distFilesOf(
      synthLab({ namespace, components: agplOff, ...props }),
      '.',
      `e2e lab ${namespace}`,
    );
    for (const file of files) await writeFile(join(dir, file.path), file.content);
    await this.kube.kubectl(['apply', '--server-side', '-f', join(dir, '00-namespace.k8s.yaml')]);
    for (const [name, data] of Object.entries(secrets)) {
      await this.kube.kubectl([
        '-n',
        namespace,
        'create',
        'secret',
        'generic',
        name,
        ...Object.entries(data).map(([key, value]) => `--from-literal=${key}=${value}`),
      ]);
    }
    await this.kube.kubectl(['apply', '--server-side', '-f', `${dir}/`]);
  };

  /** dockerd, `lab images build`, the control plane with the real node. */
  async start(): Promise<void> {
    this.workDir = await mkdtemp(join(tmpdir(), 'obslab-node-e2e-'));
    this.daemon = await this.timed('dockerd ready', () => ensureDockerd(log));
    // After dockerd (which turns ip_forward on), before the node.
    this.hostBefore = await hostState();
    await this.timed('lab images build', async () => {
      const { stderr } = await run(process.execPath, [labJs, 'images', 'build'], {
        cwd: root,
        timeoutMs: 45 * 60_000,
      });
      for (const line of stderr.trimEnd().split('\n').slice(-12)) log(line);
    });
    const images = await labImages();
    assert.ok(images.includes(pauseImage), `lab images build made ${pauseImage}: ${images.join(', ')}`);
    this.cp = await this.timed(`control plane + real node up, ${images.length} images imported`, () =>
      startControlPlane({
        node: { images },
        workDir: join(this.workDir, 'cluster'),
        log,
        startTimeoutMs: 600_000,
      }),
    );
    this.#kube = new Kube(this.cp.binaries.kubectl!, this.cp.kubeconfigPath);
  }

  /** Closes the port-forwards, stops the cluster and dockerd, removes the work dir; logs the timings. */
  async stop(): Promise<void> {
    for (const pf of this.forwards) await pf.close().catch(() => undefined);
    await this.cp?.stop();
    await this.daemon?.stop();
    if (this.workDir) await rm(this.workDir, { recursive: true, force: true });
    log(`timings:\n${this.timings.map(([what, time]) => `  ${what.padEnd(70)} ${time}`).join('\n')}`);
  }
}
