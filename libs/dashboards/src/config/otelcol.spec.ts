import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../repo-root.js';
import { missingProgram, runProgram } from '../testing.helpers.js';

/** Where libs/dashboards/scripts/ensure-otelcol.sh caches the collector it builds (keyed by its manifest). */
async function cachedCollector(): Promise<string> {
  const script = join(REPO_ROOT, 'libs/dashboards/scripts/ensure-otelcol.sh');
  const { code, output } = await runProgram('bash', [script, '--path'], REPO_ROOT);
  assert.equal(code, 0, `ensure-otelcol.sh --path failed:\n${output}`);
  return output.trim().split('\n').at(-1)!;
}

describe('OpenTelemetry Collector configuration', () => {
  it('is valid for a real collector of the pinned version (otelcol validate)', async (t) => {
    const binary = await cachedCollector();
    if (
      !(await access(binary).then(
        () => true,
        () => false,
      ))
    ) {
      t.skip(
        missingProgram(binary, 'build it once with libs/dashboards/scripts/ensure-otelcol.sh') as string,
      );
      return;
    }
    const config = join(REPO_ROOT, 'compose/config/otel-collector/config.yaml');
    const { code, output } = await runProgram(binary, ['validate', `--config=${config}`], REPO_ROOT);
    assert.equal(code, 0, `otelcol validate failed:\n${output}`);
  });
});
