// The bundle (scripts/bundle.mjs) is what runs in production; tsc's output is what in-process
// specs exercise. Bundling must change nothing a client can see: the same contract, class names
// included (the OpenAPI document names its schemas after the DTO classes).
import { startNodeService } from '@obslab/testing';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MAIN_JS } from './testing/service-process.js';

interface OpenApiDocument {
  components: { schemas: Record<string, unknown> };
}

const UNBUNDLED = fileURLToPath(new URL('./main.js', import.meta.url));

describe('the bundled service', () => {
  const root = mkdtempSync(join(tmpdir(), 'obslab-bundle-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('serves the same OpenAPI document as the unbundled build, schema names and all', async () => {
    const documents: OpenApiDocument[] = [];
    for (const [name, script] of [
      ['bundle', MAIN_JS],
      ['unbundled', UNBUNDLED],
    ] as const) {
      const service = await startNodeService({
        script,
        env: { DATA_DIR: join(root, name), LOG_LEVEL: 'warn', OTEL_SDK_DISABLED: 'true' },
      });
      try {
        const response = await fetch(`${service.baseUrl}/api/docs-json`);
        assert.equal(response.status, 200);
        documents.push((await response.json()) as OpenApiDocument);
      } finally {
        await service.stop();
      }
    }
    const [bundled, unbundled] = documents;
    assert.ok(Object.keys(unbundled!.components.schemas).includes('CreateTaskDto'));
    assert.deepEqual(bundled, unbundled);
  });
});
