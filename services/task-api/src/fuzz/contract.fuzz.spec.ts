// The property-based fuzz suite: schemathesis (scripts/ensure-schemathesis.sh installs the pinned
// version) generates requests from /api/docs-json, valid and invalid, and runs all its checks
// against a real task-api on SQLite and on PostgreSQL: no 5xx but /api/simulate-error's, every
// response as documented (status, headers, schema), invalid input rejected, valid input accepted,
// 405 with Allow for undocumented methods. Bounded per database by examples per operation and time.
import { startPostgres, type PostgresServer } from '@obslab/testing';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startServiceProcess } from '../testing/service-process.js';

const exec = promisify(execFile);
const FUZZ_DIR = fileURLToPath(new URL('../../fuzz/', import.meta.url));
const ENSURE = fileURLToPath(new URL('../../../../scripts/ensure-schemathesis.sh', import.meta.url));
/** Test cases per operation and phase, and the time budget of one run (seconds). */
const MAX_EXAMPLES = Number(process.env['FUZZ_MAX_EXAMPLES'] ?? 25);
const MAX_TIME_S = Number(process.env['FUZZ_MAX_TIME_S'] ?? 60);
/** Fixed, so a failure reproduces; FUZZ_SEED explores others. */
const SEED = process.env['FUZZ_SEED'] ?? '16';

/** The schemathesis program (installed when missing); undefined with the reason when it cannot be. */
async function schemathesis(): Promise<{ program?: string; reason?: string }> {
  if (process.env['SCHEMATHESIS']) return { program: process.env['SCHEMATHESIS'] };
  try {
    const { stdout } = await exec('bash', [ENSURE], { timeout: 300_000 });
    return { program: stdout.trim().split('\n').pop() ?? '' };
  } catch (error) {
    return { reason: `schemathesis is not installed and ${ENSURE} failed: ${(error as Error).message}` };
  }
}

interface Interaction {
  request: { method: string; uri: string };
  response?: { status_code: number };
}

/** Requests sent and statuses answered, read from schemathesis's NDJSON event stream. */
function tally(ndjson: string): {
  requests: number;
  statuses: Record<string, number>;
  serverErrors: string[];
  checks: Set<string>;
} {
  const statuses: Record<string, number> = {};
  const checks = new Set<string>();
  const serverErrors: string[] = [];
  let requests = 0;
  for (const line of ndjson.split('\n')) {
    if (!line.includes('"ScenarioFinished"')) continue;
    const event = JSON.parse(line) as {
      ScenarioFinished: {
        recorder: { interactions?: Record<string, Interaction>; checks?: Record<string, { name: string }[]> };
      };
    };
    for (const ran of Object.values(event.ScenarioFinished.recorder.checks ?? {}))
      for (const check of ran) checks.add(check.name);
    for (const interaction of Object.values(event.ScenarioFinished.recorder.interactions ?? {})) {
      requests++;
      const status = String(interaction.response?.status_code ?? 'no response');
      statuses[status] = (statuses[status] ?? 0) + 1;
      const path = new URL(interaction.request.uri).pathname;
      if (/^5/.test(status) && path !== '/api/simulate-error')
        serverErrors.push(`${interaction.request.method} ${interaction.request.uri} -> ${status}`);
    }
  }
  return { requests, statuses, serverErrors, checks };
}

let postgres: PostgresServer;
let found: { program?: string; reason?: string };
const dirs: string[] = [];
before(async () => {
  found = await schemathesis();
  postgres = await startPostgres();
});
after(async () => {
  await postgres?.destroy();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`fuzzing the OpenAPI contract on ${database}`, () => {
    it('finds no undocumented response, no unexpected 5xx and no crash', async (t) => {
      if (!found.program) {
        // Missing tools fail CI; elsewhere the suite says what to install.
        if (process.env['CI'] === 'true') assert.fail(found.reason);
        t.skip(found.reason);
        return;
      }
      const dir = mkdtempSync(join(tmpdir(), 'obslab-fuzz-'));
      dirs.push(dir);
      const service = await startServiceProcess({
        ...(database === 'postgres'
          ? { DATABASE_URL: await postgres.createDatabase(`fuzz_${process.pid}`) }
          : { DATA_DIR: join(dir, 'data') }),
        LOG_LEVEL: 'warn',
      });
      const report = join(dir, 'events.ndjson');
      let output = '';
      let failed: string | undefined;
      try {
        const result = await exec(
          found.program,
          [
            'run',
            `${service.baseUrl}/api/docs-json`,
            '--url',
            service.baseUrl,
            '--max-examples',
            String(MAX_EXAMPLES),
            '--max-time',
            String(MAX_TIME_S),
            '--seed',
            SEED,
            '--no-color',
            '--report',
            'ndjson',
            '--report-ndjson-path',
            report,
          ],
          { cwd: FUZZ_DIR, timeout: (MAX_TIME_S + 120) * 1000, maxBuffer: 64 * 1024 * 1024 },
        );
        output = result.stdout;
      } catch (error) {
        const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
        output = stdout;
        failed = `schemathesis failed (${(error as Error).message.split('\n')[0]}):\n${stdout.slice(-12_000)}\n${stderr.slice(-2000)}`;
      }
      const alive = service.child.exitCode === null && service.child.signalCode === null;
      const { requests, statuses, serverErrors, checks } = tally(readFileSync(report, 'utf8'));
      t.diagnostic(`${database}: ${requests} requests, statuses ${JSON.stringify(statuses)}`);
      const stopped = await service.stop();
      assert.ok(alive, `the service crashed during the fuzz run: ${service.noise()}`);
      assert.equal(failed, undefined, failed);
      assert.deepEqual(serverErrors, [], 'no 5xx but /api/simulate-error');
      assert.deepEqual(stopped, { code: 0, signal: null }, 'the service shuts down cleanly afterwards');
      assert.ok(requests >= 300, `a real run: ${requests} requests\n${output.slice(-3000)}`);
      // schemathesis runs all its checks by default (the configuration turns one off for one operation).
      for (const check of [
        'not_a_server_error',
        'status_code_conformance',
        'content_type_conformance',
        'response_headers_conformance',
        'response_schema_conformance',
        'negative_data_rejection',
        'positive_data_acceptance',
        'unsupported_method',
        'allow_header_conformance',
        'use_after_free',
        'ensure_resource_availability',
      ])
        assert.ok(checks.has(check), `the ${check} check ran: ${[...checks].join(', ')}`);
      for (const status of ['200', '201', '400', '404', '405'])
        assert.ok((statuses[status] ?? 0) > 0, `some ${status} answers: ${JSON.stringify(statuses)}`);
    });
  });
}
