import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT } from '../repo-root.js';
import {
  dashboardProvisioningSchema,
  datasourceLinks,
  datasourceProvisioningSchema,
  type DatasourceProvisioning,
} from './grafana-provisioning.schema.js';

const grafanaDir = join(REPO_ROOT, 'compose/config/grafana');
const readYaml = (path: string) => parse(readFileSync(join(grafanaDir, path), 'utf8')) as unknown;
const datasourcesYaml = readYaml('provisioning/datasources/datasources.yaml');

function parsed(input: unknown): DatasourceProvisioning {
  const result = datasourceProvisioningSchema.safeParse(input);
  assert.ok(result.success, result.success ? '' : JSON.stringify(result.error.issues, null, 2));
  return result.data;
}

/** Links whose uid is not provisioned, or is provisioned with another type. */
function brokenLinks(provisioning: DatasourceProvisioning): string[] {
  const types = new Map(provisioning.datasources.map((ds) => [ds.uid, ds.type]));
  return datasourceLinks(provisioning)
    .filter((link) => types.get(link.uid) !== link.type)
    .map(
      (link) => `${link.at} → ${link.uid} (${types.get(link.uid) ?? 'not provisioned'}, want ${link.type})`,
    );
}

describe('Grafana provisioning files against the provisioning format', () => {
  it('datasources.yaml is apiVersion 1 with known keys and types only, each uid once', () => {
    const provisioning = parsed(datasourcesYaml);
    const uids = provisioning.datasources.map((ds) => ds.uid);
    assert.deepEqual([...new Set(uids)], uids);
    assert.equal(provisioning.datasources.filter((ds) => ds.isDefault).length, 1);
  });

  it('every link between datasources (exemplars, traces to logs and metrics, service map, derived fields) names a provisioned datasource of the right type', () => {
    const provisioning = parsed(datasourcesYaml);
    assert.deepEqual(brokenLinks(provisioning), []);
    assert.ok(datasourceLinks(provisioning).length >= 7);
  });

  it("derived fields' regular expressions compile and take the trace id out of a task-api log line", () => {
    const provisioning = parsed(datasourcesYaml);
    const loki = provisioning.datasources.find((ds) => ds.type === 'loki');
    assert.ok(loki?.type === 'loki');
    const line = '{"level":30,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"request completed"}';
    for (const field of loki.jsonData.derivedFields.filter((f) => f.matcherType === 'regex'))
      assert.equal(
        new RegExp(field.matcherRegex).exec(line)?.[1],
        '4bf92f3577b34da6a3ce929d0e0e4736',
        field.name,
      );
    // Grafana expands $VAR in provisioning files: the URL must reach Grafana as ${__value.raw}.
    for (const field of loki.jsonData.derivedFields) assert.equal(field.url, '$${__value.raw}', field.name);
  });

  it('dashboards.yaml is a file provider with known keys only, and every dashboard query names a provisioned datasource of its type', () => {
    const result = dashboardProvisioningSchema.safeParse(readYaml('provisioning/dashboards/dashboards.yaml'));
    assert.ok(result.success, result.success ? '' : JSON.stringify(result.error.issues, null, 2));
    const types = new Map(parsed(datasourcesYaml).datasources.map((ds) => [ds.uid, ds.type]));
    const refs: { uid: string; type: string }[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (typeof node === 'object' && node !== null) {
        const record = node as Record<string, unknown>;
        const ds = record['datasource'] as { uid?: string; type?: string } | undefined;
        if (ds?.uid && ds.type) refs.push({ uid: ds.uid, type: ds.type });
        Object.values(record).forEach(collect);
      }
    };
    for (const file of readdirSync(join(grafanaDir, 'dashboards')).filter((f) => f.endsWith('.json')))
      collect(JSON.parse(readFileSync(join(grafanaDir, 'dashboards', file), 'utf8')));
    assert.ok(refs.length > 20);
    for (const ref of refs) assert.equal(types.get(ref.uid), ref.type, `dashboard datasource ${ref.uid}`);
  });

  it('rejects a misspelled key, a wrong type and a link to a datasource that is not provisioned', () => {
    const misspelled = structuredClone(datasourcesYaml) as {
      datasources: { jsonData: Record<string, unknown> }[];
    };
    const tempo = misspelled.datasources[1]!.jsonData;
    tempo['tracesToLogsv2'] = tempo['tracesToLogsV2'];
    delete tempo['tracesToLogsV2'];
    const misspelledResult = datasourceProvisioningSchema.safeParse(misspelled);
    assert.equal(misspelledResult.success, false);
    assert.match(JSON.stringify(misspelledResult.error?.issues), /tracesToLogsv2|tracesToLogsV2/);

    const wrongType = structuredClone(datasourcesYaml) as {
      datasources: { jsonData: Record<string, unknown> }[];
    };
    wrongType.datasources[2]!.jsonData['maxLines'] = '1000';
    assert.equal(datasourceProvisioningSchema.safeParse(wrongType).success, false);

    const dangling = parsed(datasourcesYaml);
    const loki = dangling.datasources.find((ds) => ds.type === 'loki');
    assert.ok(loki?.type === 'loki');
    loki.jsonData.derivedFields[0]!.datasourceUid = 'jaeger';
    assert.deepEqual(brokenLinks(dangling), [
      'loki.derivedFields[0] (trace_id) → jaeger (not provisioned, want tempo)',
    ]);
  });
});
