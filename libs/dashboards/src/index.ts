export { type Artifact, renderArtifacts, staleArtifacts, writeArtifacts } from './artifacts.js';
export { buildSloDashboard, SLO_DASHBOARD_UID } from './dashboards/slo.dashboard.js';
export { buildTracingDashboard, TRACING_DASHBOARD_UID } from './dashboards/tracing.dashboard.js';
export { DATASOURCES, type DatasourceName, type DatasourceRef } from './datasources.js';
export { SERVICE_METRICS, TEMPO_GENERATOR_METRICS, seriesNames } from './metrics.contract.js';
export {
  buildSloRuleGroups,
  type PrometheusRule,
  type PrometheusRuleGroup,
} from './slo/slo-rules.builder.js';
export {
  AVAILABILITY_SLO,
  BURN_RATE_TIERS,
  LATENCY_SLO,
  RUNBOOK_BASE_URL,
  SLO_WINDOWS,
  SLOS,
  type SloDefinition,
} from './slo/slo.definitions.js';
export {
  builtInVariables,
  dashboardExpressions,
  loadPromqlExpressions,
  ruleExpressions,
  substituteVariables,
  type PromqlExpression,
} from './promql/promql.catalog.js';
