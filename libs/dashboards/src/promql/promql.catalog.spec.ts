import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT } from '../repo-root.js';
import {
  dashboardExpressions,
  loadPromqlExpressions,
  ruleExpressions,
  substituteVariables,
} from './promql.catalog.js';

const configDir = join(REPO_ROOT, 'compose/config');
const expressions = loadPromqlExpressions(configDir);

/** Counted independently of the catalog: every `"expr"` under a Prometheus-datasource target. */
function countPrometheusTargets(node: unknown, inheritedUid?: string): number {
  if (Array.isArray(node))
    return node.reduce((sum: number, item) => sum + countPrometheusTargets(item, inheritedUid), 0);
  if (typeof node !== 'object' || node === null) return 0;
  const record = node as Record<string, unknown>;
  const uid = (record['datasource'] as { uid?: string } | undefined)?.uid ?? inheritedUid;
  const own = typeof record['expr'] === 'string' && uid === 'prometheus' ? 1 : 0;
  return (
    own +
    Object.entries(record)
      .filter(([key]) => key !== 'templating')
      .reduce((sum, [, value]) => sum + countPrometheusTargets(value, uid), 0)
  );
}

describe('the PromQL catalog of compose/config', () => {
  it('holds every Prometheus query of every generated dashboard', () => {
    const dir = join(configDir, 'grafana/dashboards');
    const files = readdirSync(dir).filter((file) => file.endsWith('.json'));
    assert.ok(files.length >= 2, `dashboards: ${files.join(', ')}`);
    const expected = files.reduce(
      (sum, file) => sum + countPrometheusTargets(JSON.parse(readFileSync(join(dir, file), 'utf8'))),
      0,
    );
    const fromDashboards = expressions.filter((e) => e.source.startsWith('dashboard '));
    assert.equal(fromDashboards.length, expected);
    assert.ok(expected >= 20, `only ${expected} dashboard queries`);
  });

  it('holds every recording and alerting rule of every rule file', () => {
    const dir = join(configDir, 'prometheus/rules');
    const expected = readdirSync(dir)
      .filter((file) => file.endsWith('.yml'))
      .flatMap((file) =>
        (parse(readFileSync(join(dir, file), 'utf8')) as { groups: { rules: unknown[] }[] }).groups.flatMap(
          (group) => group.rules,
        ),
      ).length;
    assert.equal(expressions.filter((e) => e.source.startsWith('rule ')).length, expected);
    assert.ok(expressions.some((e) => /› alert \w+/.test(e.source)));
    assert.ok(expressions.some((e) => /› record slo:/.test(e.source)));
  });

  it('replaces every Grafana variable, so each expression runs as it is', () => {
    for (const { source, expr } of expressions)
      assert.doesNotMatch(expr, /\$|\[\[/, `${source} still has a variable: ${expr}`);
    assert.ok(expressions.some((e) => e.template.includes('$__rate_interval') && e.expr.includes('[1m]')));
    assert.ok(
      expressions.some((e) => e.template.includes('job="$job"') && e.expr.includes('job="task-api"')),
    );
  });

  it("marks exactly the queries of Tempo's metrics-generator series", () => {
    const tempo = expressions.filter((e) => e.tempoGeneratorSeries.length > 0);
    assert.deepEqual(
      tempo.map((e) => e.tempoGeneratorSeries),
      [['traces_spanmetrics_calls_total']],
    );
    assert.match(tempo[0]!.source, /^dashboard obslab-tracing/);
  });
});

describe('substituteVariables', () => {
  it('replaces $name, ${name} and [[name]], and leaves unknown variables alone', () => {
    assert.equal(
      substituteVariables('rate(x{a="$job",b="${job}",c="[[job]]"}[$__rate_interval]) + $other', {
        job: 'api',
        __rate_interval: '1m',
      }),
      'rate(x{a="api",b="api",c="api"}[1m]) + $other',
    );
  });
});

describe('dashboardExpressions and ruleExpressions', () => {
  it('read nested row panels and the panel datasource when a target names none, and skip other datasources', () => {
    const found = dashboardExpressions({
      uid: 'd',
      templating: { list: [{ name: 'job', current: { value: 'api' } }] },
      panels: [
        {
          title: 'row',
          panels: [
            { title: 'inner', datasource: { uid: 'prometheus' }, targets: [{ expr: 'up{job="$job"}' }] },
          ],
        },
        { title: 'logs', datasource: { uid: 'loki' }, targets: [{ expr: '{job="api"}' }] },
      ],
    });
    assert.deepEqual(
      found.map((e) => [e.source, e.expr]),
      [['dashboard d › "inner"', 'up{job="api"}']],
    );
  });

  it('name alerts and records by group', () => {
    const found = ruleExpressions(
      'groups:\n  - name: g\n    rules:\n      - record: a:b\n        expr: sum(x)\n      - alert: Boom\n        expr: a:b > 1\n',
    );
    assert.deepEqual(
      found.map((e) => e.source),
      ['rule g › record a:b', 'rule g › alert Boom'],
    );
  });
});
