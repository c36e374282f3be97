import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCES } from '../datasources.js';
import {
  AVAILABILITY_SLO,
  BURN_RATE_TIERS,
  ERROR_BUDGET_REMAINING_RECORD,
  LATENCY_SLO,
  SLO_REQUEST_SELECTOR,
  type SloDefinition,
  type SloWindow,
  errorRatioRecord,
} from '../slo/slo.definitions.js';
import { at, numberPanels, promQuery, thresholds } from './panel.helpers.js';

export const SLO_DASHBOARD_UID = 'obslab-slo';

const job = 'job="$job"';
const counted = `${job},${SLO_REQUEST_SELECTOR}`;
const lastValue = () => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

function sliStat(title: string, slo: SloDefinition, window: SloWindow, pos: dashboard.GridPos) {
  return new stat.PanelBuilder()
    .title(title)
    .description(`${slo.description}. Objective ${slo.objective * 100} %.`)
    .datasource(DATASOURCES.prometheus)
    .withTarget(promQuery(`1 - ${errorRatioRecord(window)}{slo="${slo.name}",${job}}`, '{{job}}'))
    .unit('percentunit')
    .decimals(2)
    .reduceOptions(lastValue())
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.Area)
    .thresholds(thresholds('red', [[slo.objective, 'green']]))
    .gridPos(pos);
}

function burnRates(slo: SloDefinition, pos: dashboard.GridPos) {
  const budget = Number((1 - slo.objective).toPrecision(12));
  const windows: SloWindow[] = ['1h', '6h', '1d', '3d'];
  const panel = new timeseries.PanelBuilder()
    .title(`${slo.name[0]!.toUpperCase()}${slo.name.slice(1)} burn rate`)
    .description(
      'Error ratio divided by the error budget: 1 spends the budget exactly over 30 days. ' +
        'Alert thresholds: ' +
        BURN_RATE_TIERS.flatMap((tier) =>
          tier.conditions.map((c) => `${c.factor}× over ${c.long} (${tier.severity})`),
        ).join(', ') +
        '.',
    )
    .datasource(DATASOURCES.prometheus)
    .unit('x')
    .min(0)
    .thresholds(
      thresholds('green', [
        [1, 'yellow'],
        [6, 'orange'],
        [14.4, 'red'],
      ]),
    )
    .thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
    )
    .gridPos(pos);
  windows.forEach((window, index) =>
    panel.withTarget(
      promQuery(`${errorRatioRecord(window)}{slo="${slo.name}",${job}} / ${budget}`, window, {
        refId: String.fromCharCode(65 + index),
      }),
    ),
  );
  return panel;
}

/** The SLI/SLO dashboard: objectives, error budget, burn rates, and the RED metrics behind them. */
export function buildSloDashboard(): dashboard.Dashboard {
  const jobVariable = new dashboard.QueryVariableBuilder('job')
    .label('Service')
    .description('Prometheus job of the service (the scrape job name)')
    .datasource(DATASOURCES.prometheus)
    .query('label_values(http_requests_total, job)')
    .definition('label_values(http_requests_total, job)')
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .current({ text: 'task-api', value: 'task-api' });

  const quantiles = [0.5, 0.95, 0.99];
  const latency = new timeseries.PanelBuilder()
    .title('Latency p50 / p95 / p99 by route')
    .description('From http_request_duration_seconds; exemplars link to the trace in Tempo.')
    .datasource(DATASOURCES.prometheus)
    .unit('s')
    .gridPos(at(0, 22, 12, 9));
  quantiles.forEach((q, index) =>
    latency.withTarget(
      promQuery(
        `histogram_quantile(${q}, sum by (le, endpoint) (rate(http_request_duration_seconds_bucket{${counted}}[$__rate_interval])))`,
        `p${q * 100} {{endpoint}}`,
        { refId: String.fromCharCode(65 + index), exemplar: true },
      ),
    ),
  );

  const built = new dashboard.DashboardBuilder('obslab — SLI / SLO')
    .uid(SLO_DASHBOARD_UID)
    .description(
      'Availability and latency SLOs of the task service (30-day objectives), error budget and ' +
        'multiwindow burn rates, with the request, error and database metrics behind them.',
    )
    .tags(['obslab', 'slo'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .withVariable(jobVariable)
    .withPanel(sliStat('Availability (30 days)', AVAILABILITY_SLO, '30d', at(0, 0, 5, 6)))
    .withPanel(sliStat('Availability (1 hour)', AVAILABILITY_SLO, '1h', at(5, 0, 5, 6)))
    .withPanel(sliStat('Requests under 300 ms (30 days)', LATENCY_SLO, '30d', at(10, 0, 5, 6)))
    .withPanel(
      new gauge.PanelBuilder()
        .title('p95 latency (5 minutes)')
        .description('The latency SLO asks for p95 < 300 ms.')
        .datasource(DATASOURCES.prometheus)
        .withTarget(
          promQuery(
            `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${counted}}[5m])))`,
            'p95',
          ),
        )
        .unit('s')
        .min(0)
        .max(1)
        .reduceOptions(lastValue())
        .thresholds(
          thresholds('green', [
            [0.25, 'orange'],
            [0.3, 'red'],
          ]),
        )
        .gridPos(at(15, 0, 4, 6)),
    )
    .withPanel(
      new gauge.PanelBuilder()
        .title('Error budget remaining (30 days)')
        .description('1 − error ratio / (1 − objective) over 30 days; below 0 the budget is overspent.')
        .datasource(DATASOURCES.prometheus)
        .withTarget(promQuery(`${ERROR_BUDGET_REMAINING_RECORD}{${job}}`, '{{slo}}'))
        .unit('percentunit')
        .min(0)
        .max(1)
        .reduceOptions(lastValue())
        .thresholds(
          thresholds('red', [
            [0.25, 'orange'],
            [0.5, 'green'],
          ]),
        )
        .gridPos(at(19, 0, 5, 6)),
    )
    .withPanel(burnRates(AVAILABILITY_SLO, at(0, 6, 12, 8)))
    .withPanel(burnRates(LATENCY_SLO, at(12, 6, 12, 8)))
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Request rate by route')
        .datasource(DATASOURCES.prometheus)
        .withTarget(
          promQuery(
            `sum by (endpoint) (rate(http_requests_total{${job}}[$__rate_interval]))`,
            '{{endpoint}}',
          ),
        )
        .unit('reqps')
        .gridPos(at(0, 14, 8, 8)),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Errors by status code')
        .description('Responses with status >= 400 (http_errors_total).')
        .datasource(DATASOURCES.prometheus)
        .withTarget(
          promQuery(
            `sum by (status_code) (rate(http_errors_total{${job}}[$__rate_interval]))`,
            '{{status_code}}',
          ),
        )
        .unit('reqps')
        .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
        .gridPos(at(8, 14, 8, 8)),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('5xx ratio by route')
        .datasource(DATASOURCES.prometheus)
        .withTarget(
          promQuery(
            `sum by (endpoint) (rate(http_requests_total{${job},status_code=~"5.."}[$__rate_interval])) / sum by (endpoint) (rate(http_requests_total{${job}}[$__rate_interval]))`,
            '{{endpoint}}',
          ),
        )
        .unit('percentunit')
        .min(0)
        .gridPos(at(16, 14, 8, 8)),
    )
    .withPanel(latency)
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Database p95 by operation')
        .description('From db_query_duration_seconds; exemplars link to the trace in Tempo.')
        .datasource(DATASOURCES.prometheus)
        .withTarget(
          promQuery(
            `histogram_quantile(0.95, sum by (le, operation) (rate(db_query_duration_seconds_bucket{${job}}[$__rate_interval])))`,
            '{{operation}}',
            { exemplar: true },
          ),
        )
        .unit('s')
        .gridPos(at(12, 22, 12, 9)),
    )
    .build();
  return numberPanels(built);
}
