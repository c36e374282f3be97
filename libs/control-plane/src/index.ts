export { type AdmissionOptions, defaultControllers, requiredAdmissionPlugins } from './component-args.js';
export {
  cachedKubeBinDir,
  kubeBinDirCandidates,
  findKubeBinaries,
  type FindKubeBinariesOptions,
  type KubeBinaries,
  kubeBinariesHint,
  kubeVersion,
  MissingKubeBinariesError,
  requireKubeBinaries,
  skipUnlessKubeBinaries,
} from './kube-binaries.js';
export { type ControlPlane, type ControlPlaneOptions, startControlPlane } from './control-plane.harness.js';
export { clusterDnsServiceIp, serviceClusterIpRange } from './component-args.js';
export { findNodeBinaries, nodeBinariesHint, type NodeBinaries } from './node/node-binaries.js';
export {
  defaultNodeNetwork,
  egressGuardDrops,
  type NodeNetwork,
  nodeCgroupExists,
  snapshotSysctls,
} from './node/node-host.js';
export { importDockerImages, pauseImage } from './node/containerd.js';
export type { RealNode, RealNodeOptions } from './node/real-node.js';
export { teardownLeftoverNode } from './node/node-host-session.js';
