import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SERVICE_METRICS, seriesNames } from '../metrics.contract.js';
import { REPO_ROOT } from '../repo-root.js';
import { metricNamesIn } from '../testing.helpers.js';
import { buildSloRuleGroups } from './slo-rules.builder.js';
import { RUNBOOK_BASE_URL, SLO_WINDOWS, SLOS } from './slo.definitions.js';

const groups = buildSloRuleGroups();
const rules = groups.flatMap((g) => g.rules);
const alerts = rules.flatMap((r) => ('alert' in r ? [r] : []));
const records = rules.flatMap((r) => ('record' in r ? [r] : []));

describe('SLO rules', () => {
  it('record the error ratio of every SLO over 5m, 30m, 1h, 2h, 6h, 1d, 3d and 30d', () => {
    assert.deepEqual([...SLO_WINDOWS], ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']);
    for (const slo of SLOS)
      for (const window of SLO_WINDOWS)
        assert.ok(
          records.some(
            (r) => r.record === `slo:sli_error:ratio_rate${window}` && r.labels?.['slo'] === slo.name,
          ),
          `${slo.name} has no ${window} ratio`,
        );
  });

  it('record the remaining error budget of every SLO', () => {
    for (const slo of SLOS)
      assert.ok(
        records.some((r) => r.record === 'slo:error_budget:remaining' && r.labels?.['slo'] === slo.name),
      );
  });

  it('give every alert a severity, its slo, a summary, a description and a runbook that exists', async () => {
    assert.equal(alerts.length, SLOS.length * 2);
    for (const alert of alerts) {
      assert.match(alert.labels['severity']!, /^(page|ticket)$/);
      assert.ok(SLOS.some((s) => s.name === alert.labels['slo']));
      assert.ok(alert.annotations['summary'] && alert.annotations['description']);
      const url = alert.annotations['runbook_url']!;
      assert.ok(url.startsWith(`${RUNBOOK_BASE_URL}/`), url);
      const file = join(
        REPO_ROOT,
        'compose/config/prometheus/runbooks',
        url.slice(RUNBOOK_BASE_URL.length + 1),
      );
      await access(file);
    }
  });

  it('page at 14.4× over 1h and 5m or 6× over 6h and 30m; ticket at 3× over 1d and 2h or 1× over 3d and 6h', () => {
    const availability = Object.fromEntries(
      alerts
        .filter((a) => a.labels['slo'] === 'availability')
        .map((a) => [a.labels['severity'], a.expr.replace(/\s+/g, ' ')]),
    );
    assert.equal(
      availability['page'],
      '( slo:sli_error:ratio_rate1h{slo="availability"} > 0.072 and slo:sli_error:ratio_rate5m{slo="availability"} > 0.072 ) or ( slo:sli_error:ratio_rate6h{slo="availability"} > 0.03 and slo:sli_error:ratio_rate30m{slo="availability"} > 0.03 )',
    );
    assert.equal(
      availability['ticket'],
      '( slo:sli_error:ratio_rate1d{slo="availability"} > 0.015 and slo:sli_error:ratio_rate2h{slo="availability"} > 0.015 ) or ( slo:sli_error:ratio_rate3d{slo="availability"} > 0.005 and slo:sli_error:ratio_rate6h{slo="availability"} > 0.005 )',
    );
  });

  it('read only the contract metrics, leaving probes and /metrics out of the SLIs', () => {
    const contract = new Set([...seriesNames(SERVICE_METRICS), ...records.map((r) => r.record)]);
    for (const rule of rules)
      for (const name of metricNamesIn(rule.expr)) assert.ok(contract.has(name), `unknown metric ${name}`);
    for (const rule of records.filter((r) => r.record.startsWith('slo:sli_error')))
      for (const selector of rule.expr.match(/\{[^}]*\}/g) ?? [])
        assert.ok(selector.includes('endpoint!~"/health.*|/metrics"'), `${rule.record}: ${selector}`);
  });
});
