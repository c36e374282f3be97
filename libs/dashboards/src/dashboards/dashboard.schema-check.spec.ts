import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../repo-root.js';
import { checkDashboards, type DashboardFile } from './dashboard.schema-check.js';

const dir = join(REPO_ROOT, 'compose/config/grafana/dashboards');
const files: DashboardFile[] = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((name) => ({ name, json: JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown }));
const workspaceRoot = REPO_ROOT;

describe("the generated dashboards against the Grafana foundation SDK's schema", () => {
  it('every dashboard, panel option, custom field config and query type-checks, and no part goes unchecked', () => {
    assert.ok(files.length >= 2);
    const { errors, unchecked } = checkDashboards(files, workspaceRoot);
    assert.deepEqual(errors, []);
    assert.deepEqual(unchecked, []);
  });

  it('rejects an unknown key, a wrong type and a value outside an enum, naming the dashboard and the panel', () => {
    type Board = {
      panelz?: unknown;
      panels: { gridPos: { h: unknown }; options: Record<string, unknown> }[];
    };
    const unknownKey = structuredClone(files[0]!.json) as Board;
    unknownKey.panelz = [];
    const wrongType = structuredClone(files[0]!.json) as Board;
    wrongType.panels[0]!.gridPos.h = '8';
    const badEnum = structuredClone(files[0]!.json) as Board;
    badEnum.panels[0]!.options['colorMode'] = 'rainbow';
    const { errors } = checkDashboards(
      [
        { name: 'unknown-key.json', json: unknownKey },
        { name: 'wrong-type.json', json: wrongType },
        { name: 'bad-enum.json', json: badEnum },
      ],
      workspaceRoot,
    );
    const all = errors.join('\n');
    assert.equal(errors.length, 3, all);
    assert.match(all, /^unknown-key\.json dashboard: .*'"panelz"' does not exist/m);
    assert.match(all, /^wrong-type\.json dashboard: Type 'string' is not assignable to type 'number'/m);
    assert.match(all, /^bad-enum\.json › panel 0 ".+" options: Type '"rainbow"' is not assignable/m);
  });
});
