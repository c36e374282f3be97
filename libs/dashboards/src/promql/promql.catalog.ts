// Every PromQL expression the lab ships, read back from the generated files users mount (the
// Grafana dashboards' JSON and the Prometheus rule files), with Grafana's variables replaced by the
// values Grafana would use, so each one can be run against a real Prometheus. A new panel or rule is
// found without touching this module.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { seriesNames, TEMPO_GENERATOR_METRICS } from '../metrics.contract.js';

/** One expression, where it comes from, and whether the lab without Tempo can answer it. */
export interface PromqlExpression {
  /** e.g. `dashboard obslab-slo › "Error budget remaining"` or `rule slo-latency › record slo:…`. */
  readonly source: string;
  /** As written in the file. */
  readonly template: string;
  /** Ready to run: Grafana's variables replaced. */
  readonly expr: string;
  /** Tempo's metrics-generator series it reads (remote-written by Tempo): empty for the others. */
  readonly tempoGeneratorSeries: readonly string[];
}

/**
 * Grafana's built-in interval variables as Grafana resolves them for this lab: `$__rate_interval`
 * is max(4 × scrape interval, $__interval + scrape interval) = 1m with the 15 s scrape interval.
 */
export const builtInVariables: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
};

interface DashboardJson {
  readonly uid: string;
  readonly panels?: readonly PanelJson[];
  readonly templating?: { readonly list?: readonly { name: string; current?: { value?: unknown } }[] };
}
interface PanelJson {
  readonly title?: string;
  readonly datasource?: { readonly uid?: string };
  readonly targets?: readonly { readonly expr?: string; readonly datasource?: { readonly uid?: string } }[];
  readonly panels?: readonly PanelJson[];
}

/** Replaces `$name`, `${name}` and `[[name]]` with `values[name]`; unknown variables stay. */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)|\[\[(\w+)\]\]/g, (whole, braced, bare, bracketed) => {
    const name = (braced ?? bare ?? bracketed) as string;
    return values[name] ?? whole;
  });
}

const tempoSeries = new Set(seriesNames(TEMPO_GENERATOR_METRICS));
const tempoSeriesIn = (expr: string) =>
  [...expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((name) => tempoSeries.has(name));

function allPanels(panels: readonly PanelJson[] = []): PanelJson[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels)]);
}

/** The Prometheus queries of one dashboard (targets whose datasource is `prometheusUid`). */
export function dashboardExpressions(
  dashboard: DashboardJson,
  prometheusUid = 'prometheus',
): PromqlExpression[] {
  const variables: Record<string, string> = { ...builtInVariables };
  for (const variable of dashboard.templating?.list ?? []) {
    const value = variable.current?.value;
    if (typeof value === 'string') variables[variable.name] = value;
  }
  return allPanels(dashboard.panels).flatMap((panel) =>
    (panel.targets ?? [])
      .filter((target) => (target.datasource?.uid ?? panel.datasource?.uid) === prometheusUid)
      .filter((target): target is { expr: string } => typeof target.expr === 'string' && target.expr !== '')
      .map((target) => ({
        source: `dashboard ${dashboard.uid} › "${panel.title ?? '(untitled)'}"`,
        template: target.expr,
        expr: substituteVariables(target.expr, variables),
        tempoGeneratorSeries: tempoSeriesIn(target.expr),
      })),
  );
}

interface RuleFile {
  readonly groups?: readonly {
    readonly name: string;
    readonly rules?: readonly { record?: string; alert?: string; expr: string }[];
  }[];
}

/** The expressions of a Prometheus rule file: every recording and alerting rule. */
export function ruleExpressions(yamlText: string): PromqlExpression[] {
  const file = parse(yamlText) as RuleFile;
  return (file.groups ?? []).flatMap((group) =>
    (group.rules ?? []).map((rule) => ({
      source: `rule ${group.name} › ${rule.record ? `record ${rule.record}` : `alert ${rule.alert ?? '?'}`}`,
      template: rule.expr,
      expr: rule.expr,
      tempoGeneratorSeries: tempoSeriesIn(rule.expr),
    })),
  );
}

/** Every expression of compose/config: the dashboards under grafana/dashboards, the rules under prometheus/rules. */
export function loadPromqlExpressions(composeConfigDir: string): PromqlExpression[] {
  const dashboardsDir = join(composeConfigDir, 'grafana/dashboards');
  const rulesDir = join(composeConfigDir, 'prometheus/rules');
  const sorted = (dir: string, suffix: string) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(suffix))
      .sort();
  return [
    ...sorted(dashboardsDir, '.json').flatMap((file) =>
      dashboardExpressions(JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as DashboardJson),
    ),
    ...sorted(rulesDir, '.yml').flatMap((file) =>
      ruleExpressions(readFileSync(join(rulesDir, file), 'utf8')),
    ),
  ];
}
