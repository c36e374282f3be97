export { CommandError, run, type RunOptions, type RunResult } from './command.runner.js';
export { eventually, type EventuallyOptions } from './eventually.js';
export { freePort, freePorts } from './free-port.js';
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
} from './kube-binaries.js';
export { type ControlPlane, type ControlPlaneOptions, startControlPlane } from './control-plane.harness.js';
