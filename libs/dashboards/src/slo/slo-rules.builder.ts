import { type YamlValue } from '../config/yaml.writer.js';
import {
  BURN_RATE_TIERS,
  ERROR_BUDGET_REMAINING_RECORD,
  OBJECTIVE_RECORD,
  RUNBOOK_BASE_URL,
  SLO_WINDOWS,
  SLOS,
  type SloDefinition,
  errorRatioRecord,
} from './slo.definitions.js';

/** A Prometheus recording or alerting rule as it appears in a rule file. */
export type PrometheusRule =
  | { readonly record: string; readonly expr: string; readonly labels?: Record<string, string> }
  | {
      readonly alert: string;
      readonly expr: string;
      readonly for: string;
      readonly labels: Record<string, string>;
      readonly annotations: Record<string, string>;
    };

export interface PrometheusRuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly PrometheusRule[];
}

const budget = (slo: SloDefinition): number => Number((1 - slo.objective).toPrecision(12));
const threshold = (slo: SloDefinition, factor: number): number =>
  Number((factor * budget(slo)).toPrecision(12));

function recordingRules(slo: SloDefinition): PrometheusRule[] {
  const labels = { slo: slo.name };
  return [
    ...SLO_WINDOWS.map((window) => ({
      record: errorRatioRecord(window),
      expr: `(${slo.errors(window)})\n/\n(${slo.total(window)})`,
      labels,
    })),
    { record: OBJECTIVE_RECORD, expr: `vector(${slo.objective})`, labels },
    {
      record: ERROR_BUDGET_REMAINING_RECORD,
      expr: `1 - ${errorRatioRecord('30d')}{slo="${slo.name}"} / ${budget(slo)}`,
      labels,
    },
  ];
}

function alertingRules(slo: SloDefinition): PrometheusRule[] {
  const title = slo.name[0]!.toUpperCase() + slo.name.slice(1);
  return BURN_RATE_TIERS.map((tier) => {
    const expr = tier.conditions
      .map(
        ({ factor, long, short }) =>
          `(\n  ${errorRatioRecord(long)}{slo="${slo.name}"} > ${threshold(slo, factor)}\nand\n` +
          `  ${errorRatioRecord(short)}{slo="${slo.name}"} > ${threshold(slo, factor)}\n)`,
      )
      .join('\nor\n');
    const burns = tier.conditions.map((c) => `${c.factor}× over ${c.long} and ${c.short}`).join(', or ');
    return {
      alert: `${slo.alertPrefix}${tier.severity === 'page' ? 'Page' : 'Ticket'}`,
      expr,
      for: tier.for,
      labels: { severity: tier.severity, slo: slo.name },
      annotations: {
        summary: `{{ $labels.job }} is burning its ${slo.name} error budget too fast`,
        description:
          `${title} SLO: ${slo.description}. The error ratio is {{ $value | humanizePercentage }} ` +
          `over the long window, burning the ${slo.period} budget of ${Number((budget(slo) * 100).toPrecision(6))} % ` +
          `at ${burns}.` +
          (tier.severity === 'page'
            ? ' At this rate the budget is gone within days: act now.'
            : ' Not urgent, but the budget will not last the period: plan a fix.'),
        runbook_url: `${RUNBOOK_BASE_URL}/${slo.runbook}.md`,
      },
    };
  });
}

/**
 * One rule group per SLO: error ratios per window, objective and budget, then the burn-rate alerts.
 * Rules of a group run in order within one evaluation, so the alerts always read the ratios of the
 * same evaluation (separate groups run independently and would lag by up to an interval).
 */
export function buildSloRuleGroups(slos: readonly SloDefinition[] = SLOS): PrometheusRuleGroup[] {
  return slos.map((slo) => ({
    name: `slo-${slo.name}`,
    rules: [...recordingRules(slo), ...alertingRules(slo)],
  }));
}

/** The rule file content as plain data, ready for {@link toYaml}. */
export function sloRuleFile(slos: readonly SloDefinition[] = SLOS): YamlValue {
  return { groups: buildSloRuleGroups(slos) as unknown as YamlValue };
}
