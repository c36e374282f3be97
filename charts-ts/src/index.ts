export { LabChart, podSecurityLabels, sortForApply, synthLab, type Manifest } from './lab.chart.js';
export {
  defaultStorageSizes,
  distinctHosts,
  labDatabases,
  labFields,
  labOptionsSchema,
  optionalComponents,
  sqliteSingleReplica,
  statefulComponents,
  type ApiServerEgress,
  type LabDatabase,
  type LabHosts,
  type LabOptions,
  type LabRetention,
  type OptionalComponent,
  type ParsedLabOptions,
  type StatefulComponent,
} from './lab.options.js';
export { resolveLabProps, type LabChartProps, type ResolvedLabProps } from './lab.props.js';
export { formatLabSpecProblem, LabSpecError, type LabSpecProblem } from './lab-spec.error.js';
export { LabNetworkPolicies, type LabNetworkPoliciesProps } from './network-policies.construct.js';
export { runningComponents } from './running-components.js';
export { Frontend, type FrontendProps } from './components/frontend.construct.js';
export { TaskApi, type TaskApiProps } from './components/task-api.construct.js';
export { OtelCollector, type OtelCollectorProps } from './components/otel-collector.construct.js';
export { Tempo, type TempoProps } from './components/tempo.construct.js';
export { Loki, type LokiProps } from './components/loki.construct.js';
export {
  Prometheus,
  kubernetesPrometheusConfig,
  type PrometheusProps,
} from './components/prometheus.construct.js';
export { Grafana, type GrafanaProps } from './components/grafana.construct.js';
export { Postgres, type PostgresProps } from './components/postgres.construct.js';
export { StackComponent, type StackComponentProps } from './components/stack-component.construct.js';
export { configHashAnnotation, componentLabels, selectorLabels, type RenderedWorkload } from './workload.js';
export { secretRefs } from './workload-env.js';
export { distFilesOf, labDistFiles, type DistFile } from './dist.js';
