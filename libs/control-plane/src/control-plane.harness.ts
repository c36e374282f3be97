import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCertificates, issueClientCertificate } from './certificates.js';
import {
  type AdmissionOptions,
  clusterDnsServiceIp,
  defaultControllers,
  etcdArgs,
  fakeNodeControllers,
  kubeSchedulerArgs,
  kwokArgs,
  kubeApiserverArgs,
  kubeControllerManagerArgs,
} from './component-args.js';
import { onProcessExit } from './exit-cleanup.js';
import { createFakeNodes } from './fake-nodes.js';
import { freePorts } from '@obslab/process';
import { type KubeBinaries, requireKubeBinaries } from './kube-binaries.js';
import { writeComponentKubeconfigs } from './kubeconfig.js';
import { type ManagedProcess, startProcess } from './managed-process.js';
import { type HttpsClientTls, isSchedulableReadyNode, waitUntilHealthy } from './readiness.js';
import { findNodeBinaries, nodeBinariesHint, nodeBinDirCandidates } from './node/node-binaries.js';
import { type NodeHost, prepareNodeHost } from './node/node-host-session.js';
import {
  apiserverKubeletClientUser,
  type RealNode,
  type RealNodeOptions,
  startRealNode,
} from './node/real-node.js';

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /** Admission plugins on top of the API server's defaults; PodSecurity always stays on. Default: the defaults. */
  readonly admission?: AdmissionOptions;
  /** Feature gates for kube-apiserver and kube-controller-manager. Default: none. */
  readonly featureGates?: Readonly<Record<string, boolean>>;
  /** Directory holding kube-apiserver, kube-controller-manager and etcd. Default: {@link findKubeBinaries}. */
  readonly binDir?: string;
  /** kube-controller-manager's `--controllers`. Default: {@link defaultControllers}. */
  readonly controllers?: readonly string[];
  /** Progress lines. Default: silent. */
  readonly log?: (message: string) => void;
  /** Where certificates, etcd data, kubeconfigs and logs go; removed by stop(). Default: a new temp dir. */
  readonly workDir?: string;
  /**
   * Fake nodes simulated by kwok (needs kube-scheduler and kwok in the bin dir): with them pods are
   * scheduled and reported Running and Ready, so Deployments become available. Default: 0, no
   * scheduler and no kwok; pods stay Pending.
   */
  readonly fakeNodes?: number;
  /** Give up starting after this long. Default: 60 000 ms (180 000 with a real node). */
  readonly startTimeoutMs?: number;
  /**
   * A real node on this machine (needs root): containerd, kubelet, kube-proxy, CoreDNS and
   * kube-network-policies, pods on a bridge the harness creates. The API server then listens on the
   * bridge's address, where pods reach it. `true` for the defaults. Default: none.
   */
  readonly node?: RealNodeOptions | boolean;
}

/** A running control plane. */
export interface ControlPlane {
  /** Admin (system:masters) kubeconfig, certificates embedded. */
  readonly kubeconfigPath: string;
  /** The API server's URL, `https://127.0.0.1:<port>`. */
  readonly server: string;
  readonly workDir: string;
  /** CA that signed the serving and client certificates. */
  readonly caCertPath: string;
  readonly binaries: KubeBinaries;
  /** Names of the nodes, fake or real (empty without `fakeNodes` or `node`). */
  readonly nodes: readonly string[];
  /** The real node, with `node`. */
  readonly node: RealNode | undefined;
  /** The component processes (each leads its own process group). */
  readonly processes: readonly { readonly name: string; readonly pid: number; readonly logFile: string }[];
  /** Stops every component and removes workDir. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts etcd, kube-apiserver and kube-controller-manager on free loopback ports and resolves
 * once the API server's /readyz and the controller manager's /healthz answer 200. If the test
 * process ends without stop(), an exit/signal handler kills the components and removes workDir.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const binaries = requireKubeBinaries(options.binDir ? { binDir: options.binDir } : {});
  const fakeNodes = options.fakeNodes ?? 0;
  if (!Number.isInteger(fakeNodes) || fakeNodes < 0) {
    throw new Error(`fakeNodes must be a whole number of nodes, 0 or more; got ${fakeNodes}`);
  }
  if (fakeNodes > 0 && (!binaries.kubeScheduler || !binaries.kwok)) {
    throw new Error(
      `fakeNodes needs kube-scheduler and kwok, which ${binaries.binDir} lacks: run scripts/ensure-kube-binaries.sh (needs Go)`,
    );
  }
  const nodeOptions = options.node === true ? {} : options.node || undefined;
  if (nodeOptions && !binaries.node) {
    throw new Error(
      `a real node needs kubelet and kube-proxy, which ${binaries.binDir} lacks: run scripts/ensure-kube-binaries.sh --node`,
    );
  }
  if (nodeOptions && (!binaries.kubeScheduler || !binaries.kubectl)) {
    throw new Error(
      `a real node needs kube-scheduler and kubectl, which ${binaries.binDir} lacks: run scripts/ensure-kube-binaries.sh --node`,
    );
  }
  const nodeBinaries = nodeOptions ? findNodeBinaries() : undefined;
  if (nodeOptions && !nodeBinaries) {
    throw new Error(
      `CoreDNS and kube-network-policies not found (looked in ${nodeBinDirCandidates().join(', ') || 'no cache yet'}): ${nodeBinariesHint}`,
    );
  }
  const workDir = options.workDir
    ? resolve(options.workDir)
    : await mkdtemp(join(tmpdir(), 'obslab-control-plane-'));
  const dirs = {
    pki: join(workDir, 'pki'),
    etcd: join(workDir, 'etcd'),
    logs: join(workDir, 'logs'),
    controllerManagerCerts: join(workDir, 'controller-manager-certs'),
    schedulerCerts: join(workDir, 'scheduler-certs'),
  };
  const processes: ManagedProcess[] = [];
  let host: NodeHost | undefined;
  let realNode: RealNode | undefined;
  const cancelExitCleanup = onProcessExit(() => {
    for (const child of processes) child.killNow();
    for (const child of realNode?.processes ?? []) killGroup(child.pid);
    host?.teardown();
    rmSync(workDir, { recursive: true, force: true });
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await realNode?.stop();
      host?.teardown();
      await Promise.all(processes.filter((p) => p.name !== 'etcd').map((p) => p.stop()));
      await Promise.all(processes.filter((p) => p.name === 'etcd').map((p) => p.stop()));
      await rm(workDir, { recursive: true, force: true, maxRetries: 3 });
      cancelExitCleanup();
      log(`control plane stopped, removed ${workDir}`);
    })());

  try {
    await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true, mode: 0o700 })));
    if (nodeOptions) {
      host = prepareNodeHost(workDir, nodeOptions);
      log(`bridge ${host.network.bridge} with ${host.network.gateway} (pods on ${host.network.podCidr})`);
    }
    const apiserverAddress = host?.network.gateway ?? '127.0.0.1';
    const [certs, [etcdClientPort, etcdPeerPort, apiserverPort, controllerManagerPort, schedulerPort]] =
      await Promise.all([createCertificates(dirs.pki, host ? [host.network.gateway] : []), freePorts(5)]);
    const server = `https://${apiserverAddress}:${apiserverPort}`;
    const kubeletClient = host
      ? await issueClientCertificate(
          certs,
          dirs.pki,
          'apiserver-kubelet-client',
          `/CN=${apiserverKubeletClientUser}`,
        )
      : undefined;
    const { kubeconfigPath, controllerManagerKubeconfig, schedulerKubeconfig, kwokKubeconfig } =
      await writeComponentKubeconfigs(workDir, server, certs);
    log(`certificates and kubeconfigs in ${workDir}`);

    const start = async (name: string, program: string, args: string[]) => {
      const child = await startProcess({
        name,
        program,
        args,
        logFile: join(dirs.logs, `${name}.log`),
        cwd: workDir,
      });
      processes.push(child);
      return child;
    };
    // The API server retries its etcd connection, so both start at once. The controller manager
    // starts once the API server is ready: before the bootstrap RBAC policy exists it would be
    // refused the configmaps it needs and exit.
    await start(
      'etcd',
      binaries.etcd,
      etcdArgs({ dataDir: dirs.etcd, clientPort: etcdClientPort!, peerPort: etcdPeerPort! }),
    );
    await start(
      'kube-apiserver',
      binaries.kubeApiserver,
      kubeApiserverArgs({
        certs,
        etcdPort: etcdClientPort!,
        securePort: apiserverPort!,
        bindAddress: apiserverAddress,
        ...(kubeletClient ? { kubeletClient } : {}),
        ...(options.admission ? { admission: options.admission } : {}),
        ...(options.featureGates ? { featureGates: options.featureGates } : {}),
      }),
    );
    log(`etcd on 127.0.0.1:${etcdClientPort}, kube-apiserver on ${server}`);
    const adminTls: HttpsClientTls = {
      ca: await readFile(certs.caCert),
      cert: await readFile(certs.adminCert),
      key: await readFile(certs.adminKey),
    };
    const deadline = Date.now() + (options.startTimeoutMs ?? (host ? 180_000 : 60_000));
    await waitUntilHealthy(processes, deadline, {
      what: 'kube-apiserver /readyz',
      url: `${server}/readyz`,
      tls: adminTls,
    });
    log(`kube-apiserver ready after ${Date.now() - started} ms`);

    // A real node gets every controller a cluster runs by default (Services' endpoints,
    // StatefulSets, volume binding, node lifecycle…).
    const controllers = host
      ? ['*']
      : [...(options.controllers ?? defaultControllers), ...(fakeNodes > 0 ? fakeNodeControllers : [])];
    await start(
      'kube-controller-manager',
      binaries.kubeControllerManager,
      kubeControllerManagerArgs({
        kubeconfig: controllerManagerKubeconfig,
        certs,
        securePort: controllerManagerPort!,
        certDir: dirs.controllerManagerCerts,
        controllers,
        ...(options.featureGates ? { featureGates: options.featureGates } : {}),
      }),
    );
    let nodes: string[] = [];
    if (fakeNodes > 0 || host) {
      await start(
        'kube-scheduler',
        binaries.kubeScheduler!,
        kubeSchedulerArgs({
          kubeconfig: schedulerKubeconfig,
          securePort: schedulerPort!,
          certDir: dirs.schedulerCerts,
          ...(options.featureGates ? { featureGates: options.featureGates } : {}),
        }),
      );
    }
    if (fakeNodes > 0) {
      await start(
        'kwok',
        binaries.kwok!.program,
        kwokArgs({ kubeconfig: kwokKubeconfig, stages: binaries.kwok!.stages }),
      );
      nodes = await createFakeNodes(server, adminTls, fakeNodes);
    }
    // Self-signed serving certificates made by the components themselves; loopback only.
    await waitUntilHealthy(processes, deadline, {
      what: 'kube-controller-manager /healthz',
      url: `https://127.0.0.1:${controllerManagerPort}/healthz`,
      tls: { insecure: true },
    });
    if (fakeNodes > 0 || host) {
      await waitUntilHealthy(processes, deadline, {
        what: 'kube-scheduler /healthz',
        url: `https://127.0.0.1:${schedulerPort}/healthz`,
        tls: { insecure: true },
      });
      for (const node of nodes) {
        await waitUntilHealthy(processes, deadline, {
          what: `node ${node} Ready without taints`,
          url: `${server}/api/v1/nodes/${node}`,
          tls: adminTls,
          accept: isSchedulableReadyNode,
        });
      }
      if (fakeNodes > 0) log(`${nodes.length} fake node(s) ready: ${nodes.join(', ')}`);
    }
    if (host) {
      realNode = await startRealNode(
        host,
        {
          server,
          certs,
          kubectl: binaries.kubectl!,
          adminKubeconfig: kubeconfigPath,
          kubelet: binaries.node!.kubelet,
          kubeProxy: binaries.node!.kubeProxy,
          nodeBinaries: nodeBinaries!,
          clusterDnsIp: clusterDnsServiceIp,
          clusterDomain: 'cluster.local',
          log,
        },
        nodeOptions,
        deadline,
      );
      nodes = [...nodes, realNode.name];
    }
    log(`control plane ready in ${Date.now() - started} ms`);
    return {
      kubeconfigPath,
      server,
      workDir,
      caCertPath: certs.caCert,
      binaries,
      nodes,
      node: realNode,
      processes: [...processes, ...(realNode?.processes ?? [])].map(({ name, pid, logFile }) => ({
        name,
        pid,
        logFile,
      })),
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}
