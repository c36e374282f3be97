export {
  labApi,
  labApiVersion,
  labSpecSchema,
  parseLabSpec,
  sizePresets,
  type LabSpec,
  type LabSpecInput,
  type SizePreset,
} from './lab/lab.schema.js';
export {
  ConditionType,
  Reason,
  desiredHashAnnotation,
  fieldManager,
  labFinalizer,
  labLabels,
  type ComponentStatus,
  type LabCondition,
  type LabStatus,
  type ObservabilityLab,
} from './lab/lab.types.js';
export { labCrd } from './lab/lab.crd.js';
export {
  desiredState,
  labChartProps,
  sizePresetValues,
  type ClusterSettings,
  type DesiredState,
} from './lab/lab.desired.js';
export { computeStatus, type LabProblem, type StatusInput } from './lab/lab.status.js';
export {
  CrdMissingError,
  jsonLogger,
  startOperator,
  type Logger,
  type OperatorOptions,
  type RunningOperator,
} from './operator.js';
export { LeadershipLostError } from './runtime/leader-election.js';
export { KubeClient, KubeApiError, type KubeObject } from './runtime/kube.client.js';
export {
  OperatorChart,
  defaultOperatorImage,
  operatorClusterRules,
  operatorDistFiles,
  operatorManifests,
  type OperatorManifestOptions,
} from './manifests/operator.chart.js';
export { installOperatorDist } from './testing/install-dist.js';
