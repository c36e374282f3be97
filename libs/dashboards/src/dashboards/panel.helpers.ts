import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import { DATASOURCES } from '../datasources.js';

/** A Prometheus range query on the provisioned datasource, with exemplars when asked. */
export function promQuery(
  expr: string,
  legend: string,
  options: { readonly refId?: string; readonly exemplar?: boolean; readonly instant?: boolean } = {},
): prometheus.DataqueryBuilder {
  const query = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCES.prometheus)
    .expr(expr)
    .legendFormat(legend)
    .refId(options.refId ?? 'A');
  if (options.instant) query.instant();
  else query.range();
  if (options.exemplar) query.exemplar(true);
  return query;
}

/** Thresholds from a base colour and `[value, colour]` steps upwards. */
export function thresholds(
  base: string,
  steps: readonly (readonly [number, string])[] = [],
): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

/** Grid position helper: Grafana's grid is 24 columns wide. */
export const at = (x: number, y: number, w: number, h: number): dashboard.GridPos => ({ x, y, w, h });

/** Numbers the panels 1, 2, … in order, so links such as `?viewPanel=3` stay stable across generations. */
export function numberPanels(built: dashboard.Dashboard): dashboard.Dashboard {
  built.panels?.forEach((panel, index) => (panel.id = index + 1));
  return built;
}
