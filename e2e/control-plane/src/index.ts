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
