// These specs walk untyped documents (parsed YAML, built dashboard JSON): `any` is the honest type here.
/* eslint-disable @typescript-eslint/no-unsafe-return */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATASOURCES } from '../datasources.js';
import { SERVICE_METRICS, TEMPO_GENERATOR_METRICS, seriesNames } from '../metrics.contract.js';
import { buildSloRuleGroups } from '../slo/slo-rules.builder.js';
import { metricNamesIn } from '../testing.helpers.js';
import { buildSloDashboard, SLO_DASHBOARD_UID } from './slo.dashboard.js';
import { buildTracingDashboard, TRACING_DASHBOARD_UID } from './tracing.dashboard.js';

const dashboards = [buildSloDashboard(), buildTracingDashboard()] as any[];
const panels = dashboards.flatMap((d) => (d.panels ?? []).map((p: any) => ({ dashboard: d.uid, ...p })));
const uids = new Set(Object.values(DATASOURCES).map((ds) => ds.uid));
const recorded = buildSloRuleGroups().flatMap((g) =>
  g.rules.flatMap((r) => ('record' in r ? [r.record] : [])),
);
const known = new Set([
  ...seriesNames(SERVICE_METRICS),
  ...seriesNames(TEMPO_GENERATOR_METRICS),
  ...recorded,
]);
const promExprs = panels.flatMap((p: any) =>
  (p.targets ?? [])
    .filter((t: any) => t.datasource?.uid === 'prometheus')
    .map((t: any) => ({ panel: p.title, expr: t.expr as string })),
);

describe('dashboards', () => {
  it('have the fixed uids obslab-slo and obslab-tracing', () => {
    assert.deepEqual(
      dashboards.map((d) => d.uid),
      [SLO_DASHBOARD_UID, TRACING_DASHBOARD_UID],
    );
    assert.deepEqual([SLO_DASHBOARD_UID, TRACING_DASHBOARD_UID], ['obslab-slo', 'obslab-tracing']);
  });

  it('give every panel and every query a provisioned datasource uid', () => {
    for (const panel of panels) {
      assert.ok(
        uids.has(panel.datasource?.uid),
        `panel "${panel.title}" has datasource ${JSON.stringify(panel.datasource)}`,
      );
      assert.ok(panel.targets?.length > 0, `panel "${panel.title}" has no query`);
      for (const target of panel.targets)
        assert.equal(
          target.datasource?.uid,
          panel.datasource.uid,
          `a query of "${panel.title}" uses another datasource`,
        );
    }
  });

  it("query only metrics of the contract, of Tempo's generator, or of the SLO recording rules", () => {
    assert.ok(promExprs.length >= 10);
    for (const { panel, expr } of promExprs)
      for (const name of metricNamesIn(expr))
        assert.ok(known.has(name), `panel "${panel}" queries unknown metric ${name} in: ${expr}`);
  });

  it('lay panels out inside the 24-column grid without overlaps', () => {
    for (const d of dashboards) {
      const cells = new Set<string>();
      for (const { gridPos: g, title } of d.panels) {
        assert.ok(g.x >= 0 && g.w > 0 && g.x + g.w <= 24, `"${title}" leaves the grid`);
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            assert.ok(!cells.has(`${x},${y}`), `"${title}" overlaps another panel in ${d.uid}`);
            cells.add(`${x},${y}`);
          }
      }
    }
  });

  it('the SLO dashboard shows availability, budget, burn rates, latency by route and database p95, per job', () => {
    const slo = dashboards[0];
    assert.equal(slo.templating.list[0].name, 'job');
    assert.equal(slo.templating.list[0].query, 'label_values(http_requests_total, job)');
    const exprs = promExprs
      .filter((e) => e.expr.includes('$job'))
      .map((e) => e.expr)
      .join('\n');
    for (const needle of [
      'slo:sli_error:ratio_rate30d{slo="availability"',
      'slo:sli_error:ratio_rate1h{slo="availability"',
      'slo:error_budget:remaining',
      'slo:sli_error:ratio_rate3d{slo="latency"',
      'histogram_quantile(0.99, sum by (le, endpoint)',
      'sum by (status_code) (rate(http_errors_total',
      'db_query_duration_seconds_bucket',
    ])
      assert.ok(exprs.includes(needle), `no SLO panel queries ${needle}`);
    for (const e of promExprs.filter((x) => x.expr.includes('_bucket') && !x.expr.includes('[5m]')))
      assert.ok(
        panels.find((p: any) => p.title === e.panel).targets.every((t: any) => t.exemplar),
        `"${e.panel}" hides exemplars`,
      );
  });

  it('the tracing dashboard searches traces, error traces, the service graph and the logs of the service', () => {
    const tracing = panels.filter((p: any) => p.dashboard === TRACING_DASHBOARD_UID);
    const queries = tracing.flatMap((p: any) => p.targets.map((t: any) => ({ type: p.type, ...t })));
    assert.ok(
      queries.some((q) => q.query === '{resource.service.name="$service"}' && q.queryType === 'traceql'),
    );
    assert.ok(queries.some((q) => q.query?.includes('status=error')));
    assert.ok(queries.some((q) => q.type === 'nodeGraph' && q.queryType === 'serviceMap'));
    assert.ok(queries.some((q) => q.type === 'logs' && q.expr === '{service_name="$service"}'));
    assert.equal(dashboards[1].templating.list[0].current.value, 'task-api');
  });
});

describe('metricNamesIn', () => {
  it('finds metric names and ignores functions, labels, ranges and grouping', () => {
    assert.deepEqual(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, endpoint) (rate(http_request_duration_seconds_bucket{job="$job",le="0.3"}[$__rate_interval]))) / on (job) group_left () slo:objective:ratio or vector(1)',
      ),
      ['http_request_duration_seconds_bucket', 'slo:objective:ratio'],
    );
  });
});
