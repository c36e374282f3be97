import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts, run } from '@obslab/process';
import { type ControlPlaneCertificates, issueClientCertificate } from '../certificates.js';
import { writeKubeconfig } from '../kubeconfig.js';
import { type ManagedProcess, startProcess } from '../managed-process.js';
import {
  containerdPaths,
  importDockerImages,
  nodeImages,
  pauseImage,
  waitForContainerd,
  writeContainerdConfig,
} from './containerd.js';
import type { NodeBinaries } from './node-binaries.js';
import {
  clusterDnsObjects,
  corednsImage,
  kubeletConfig,
  kubeProxyConfig,
  apiserverKubeletClientRbac,
  localVolumes,
  networkPolicyAgentRbac,
} from './node-components.js';
import { importBinaryImage } from './oci-image.js';
import type { NodeNetwork } from './node-host.js';
import type { NodeHost } from './node-host-session.js';

/** Options of a real node (`startControlPlane({ node: … })`). */
export interface RealNodeOptions {
  /** The node's bridge and pod CIDR. Default: `defaultNodeNetwork` (node-host.ts). */
  readonly network?: NodeNetwork;
  /** Node name. Default: `obslab-node`. */
  readonly name?: string;
  /** Pre-created PersistentVolumes for claims without a StorageClass. Default: 12 of 100Gi (hostPath capacity is nominal). */
  readonly volumes?: { readonly count: number; readonly size: string };
  /** Images to import from the Docker engine before kubelet starts (the pause image is always needed). */
  readonly images?: readonly string[];
}

/** A real node: containerd, kubelet, kube-proxy, CoreDNS and the NetworkPolicy agent on this machine. */
export interface RealNode {
  readonly name: string;
  readonly network: NodeNetwork;
  /** containerd's socket (for `ctr --address`). */
  readonly containerdSocket: string;
  /** Node programs, each in its own process group. */
  readonly processes: readonly { readonly name: string; readonly pid: number; readonly logFile: string }[];
  /** Imports images from the Docker engine into the node; resolves with the seconds it took. */
  importImages(images: readonly string[]): Promise<number>;
  /** Image references the node has. */
  images(): Promise<string[]>;
  /** Kills kubelet and containerd (SIGKILL, containers keep running), starts both again, waits for Ready. */
  restartRuntime(): Promise<void>;
  /** Stops everything and puts the host back as it was. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The user of the API server's client certificate towards kubelets (bound to system:kubelet-api-admin). */
export const apiserverKubeletClientUser = 'kube-apiserver-kubelet-client';

/** What {@link startRealNode} needs from the control plane. */
export interface NodeControlPlane {
  /** The API server's URL on the node address. */
  readonly server: string;
  readonly certs: ControlPlaneCertificates;
  readonly kubectl: string;
  readonly adminKubeconfig: string;
  readonly kubelet: string;
  readonly kubeProxy: string;
  readonly nodeBinaries: NodeBinaries;
  readonly clusterDnsIp: string;
  readonly clusterDomain: string;
  readonly log: (message: string) => void;
}

/**
 * Starts containerd, imports the pause image (and `options.images`), starts kubelet, kube-proxy,
 * CoreDNS and kube-network-policies, applies their RBAC, the kube-dns Service and the local
 * PersistentVolumes, and resolves once the node is Ready.
 */
export async function startRealNode(
  host: NodeHost,
  cp: NodeControlPlane,
  options: RealNodeOptions = {},
  deadline = Date.now() + 120_000,
): Promise<RealNode> {
  const started = Date.now();
  const { dir, network, name } = host;
  const logs = join(dir, 'logs');
  const pki = join(dir, 'pki');
  const volumesDir = join(dir, 'volumes');
  for (const sub of [logs, pki, volumesDir]) mkdirSync(sub, { recursive: true, mode: 0o700 });
  chmodSync(volumesDir, 0o711);
  const containerd = containerdPaths(join(dir, 'containerd'));
  const processes: ManagedProcess[] = [];
  const start = async (processName: string, program: string, args: readonly string[]) => {
    const child = await startProcess({
      name: processName,
      program,
      args,
      logFile: join(logs, `${processName}.log`),
      cwd: dir,
    });
    processes.push(child);
    return child;
  };
  const kubectl = (args: readonly string[], input?: string) =>
    run(cp.kubectl, ['--kubeconfig', cp.adminKubeconfig, ...args], {
      timeoutMs: 60_000,
      ...(input === undefined ? {} : { input }),
    });
  const apply = (objects: readonly object[]) =>
    kubectl(
      ['apply', '--server-side', '--field-manager=obslab-control-plane', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    );

  const [kubeletPort, kubeletHealthz, proxyHealthz, proxyMetrics, policiesMetrics] = await freePorts(5);
  const kubeconfigFor = async (file: string, subject: string) => {
    const issued = await issueClientCertificate(cp.certs, pki, file, subject);
    const path = join(dir, `${file}.kubeconfig`);
    await writeKubeconfig(path, {
      server: cp.server,
      caCert: cp.certs.caCert,
      clientCert: issued.cert,
      clientKey: issued.key,
    });
    return path;
  };
  const policiesUser = 'obslab:network-policies';
  const [kubeletKubeconfig, proxyKubeconfig, policiesKubeconfig] = await Promise.all([
    kubeconfigFor('kubelet', `/O=system:nodes/CN=system:node:${name}`),
    kubeconfigFor('kube-proxy', '/CN=system:kube-proxy'),
    kubeconfigFor('network-policies', `/CN=${policiesUser}`),
  ]);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const order = ['kube-network-policies', 'kube-proxy', 'kubelet', 'containerd'];
      for (const processName of order) {
        await Promise.all(processes.filter((p) => p.name === processName).map((p) => p.stop(3_000)));
      }
      host.teardown();
      cp.log(`real node ${name} stopped, host restored`);
    })());

  try {
    await writeContainerdConfig(containerd, network);
    const startContainerd = () =>
      start('containerd', 'containerd', ['--config', containerd.config, '--log-level', 'warn']);
    await startContainerd();
    await waitForContainerd(containerd, deadline);
    // The node's own images need no Docker: one-binary OCI images made here.
    await importBinaryImage(containerd.socket, {
      ref: pauseImage,
      binary: cp.nodeBinaries.pause,
      user: 65535,
    });
    await importBinaryImage(containerd.socket, { ref: corednsImage, binary: cp.nodeBinaries.coredns });
    const images = (options.images ?? []).filter((image) => image !== pauseImage);
    const imported = await importDockerImages(containerd.socket, images);
    cp.log(`containerd ready, ${images.length} image(s) imported from Docker in ${imported.toFixed(1)} s`);

    await apply([
      ...apiserverKubeletClientRbac(apiserverKubeletClientUser),
      ...networkPolicyAgentRbac(policiesUser),
      ...clusterDnsObjects({ serviceIp: cp.clusterDnsIp, clusterDomain: cp.clusterDomain }),
      ...localVolumes({
        dir: volumesDir,
        count: options.volumes?.count ?? 12,
        size: options.volumes?.size ?? '100Gi',
      }),
    ]);
    // Statically provisioned volumes are world-writable directories, as local-path-provisioner
    // makes them: the pods run as non-root users of their own choosing.
    for (let index = 1; index <= (options.volumes?.count ?? 12); index += 1) {
      const path = join(volumesDir, `pv-${String(index).padStart(2, '0')}`);
      mkdirSync(path, { recursive: true });
      chmodSync(path, 0o777);
    }

    const resolvConf = join(dir, 'resolv.conf');
    writeFileSync(
      resolvConf,
      `# pods with dnsPolicy Default: the cluster DNS, nothing off this machine\nnameserver ${cp.clusterDnsIp}\n`,
    );
    const kubeletConfigPath = join(dir, 'kubelet.json');
    writeFileSync(
      kubeletConfigPath,
      kubeletConfig({
        network,
        port: kubeletPort!,
        healthzPort: kubeletHealthz!,
        clientCaFile: cp.certs.caCert,
        containerdSocket: containerd.socket,
        clusterDnsIp: cp.clusterDnsIp,
        clusterDomain: cp.clusterDomain,
        resolvConf,
        cgroupRoot: host.cgroupRoot,
      }),
    );
    const kubeletRoot = join(dir, 'kubelet');
    const startKubelet = () =>
      start('kubelet', cp.kubelet, [
        `--config=${kubeletConfigPath}`,
        `--kubeconfig=${kubeletKubeconfig}`,
        `--hostname-override=${name}`,
        `--node-ip=${network.gateway}`,
        `--root-dir=${kubeletRoot}`,
        `--cert-dir=${join(dir, 'kubelet-pki')}`,
        '--v=1',
      ]);
    await startKubelet();

    const proxyConfigPath = join(dir, 'kube-proxy.json');
    writeFileSync(
      proxyConfigPath,
      kubeProxyConfig({
        network,
        kubeconfig: proxyKubeconfig,
        nodeName: name,
        healthzPort: proxyHealthz!,
        metricsPort: proxyMetrics!,
      }),
    );
    await start('kube-proxy', cp.kubeProxy, [`--config=${proxyConfigPath}`, '--v=1']);

    await start('kube-network-policies', cp.nodeBinaries.networkPolicies, [
      `--kubeconfig=${policiesKubeconfig}`,
      `--hostname-override=${name}`,
      '--disable-nri',
      `--metrics-bind-address=127.0.0.1:${policiesMetrics}`,
      '--v=1',
    ]);

    const nodeReady = async () => {
      const { stdout } = await kubectl([
        'get',
        'node',
        name,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      ]);
      return stdout.trim() === 'True';
    };
    await waitFor(processes, deadline, `node ${name} Ready`, nodeReady);
    await waitFor(
      processes,
      deadline,
      'kube-proxy healthy',
      async () => (await fetch(`http://127.0.0.1:${proxyHealthz}/healthz`)).ok,
    );
    await waitFor(processes, deadline, 'CoreDNS Ready in kube-system', async () => {
      const { stdout } = await kubectl([
        '-n',
        'kube-system',
        'get',
        'deployment',
        'coredns',
        '-o',
        'jsonpath={.status.readyReplicas}',
      ]);
      return stdout.trim() === '1';
    });
    cp.log(
      `real node ${name} Ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pods on ${network.podCidr}, node IP ${network.gateway})`,
    );

    return {
      name,
      network,
      containerdSocket: containerd.socket,
      get processes() {
        return processes
          .filter((p) => !p.hasExited())
          .map(({ name: n, pid, logFile }) => ({ name: n, pid, logFile }));
      },
      importImages: (images) => importDockerImages(containerd.socket, images),
      images: () => nodeImages(containerd.socket),
      async restartRuntime() {
        for (const processName of ['kubelet', 'containerd']) {
          const running = processes.find((p) => p.name === processName && !p.hasExited());
          running?.killNow();
          await running?.exited;
        }
        // Only the programs: the containers and their shims keep running, as on a real node.
        await startContainerd();
        await waitForContainerd(containerd, Date.now() + 30_000);
        await startKubelet();
        await sleep(1_000);
        // Ready again means the new kubelet renewed the node's lease after it started.
        const restarted = Date.now();
        await waitFor(
          processes.filter((p) => !p.hasExited()),
          restarted + 60_000,
          `node ${name} Ready again`,
          async () => {
            const { stdout } = await kubectl([
              '-n',
              'kube-node-lease',
              'get',
              'lease',
              name,
              '-o',
              'jsonpath={.spec.renewTime}',
            ]);
            return Date.parse(stdout.trim()) >= restarted - 1_000 && (await nodeReady());
          },
        );
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

async function waitFor(
  processes: readonly ManagedProcess[],
  deadline: number,
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  let last = 'not yet';
  for (;;) {
    const dead = processes.find((p) => p.hasExited());
    if (dead)
      throw new Error(
        `${dead.name} exited while waiting for ${what}; ${dead.logFile} ends with:\n${dead.logTail()}`,
      );
    try {
      if (await check()) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      const tails = processes.map((p) => `--- ${p.name} (${p.logFile}):\n${p.logTail(8)}`).join('\n');
      throw new Error(`${what}: timed out (${last})\n${tails}`);
    }
    await sleep(250);
  }
}
