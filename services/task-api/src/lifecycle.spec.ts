import { eventually, freePorts } from '@obslab/process';
import { startPostgres, type PostgresServer } from '@obslab/testing';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runMain, startServiceProcess } from './testing/service-process.js';

const DATABASE_DOWN_BODY = { status: 'down', message: 'the database did not answer a ping within 1500 ms' };

const root = mkdtempSync(join(tmpdir(), 'obslab-lifecycle-'));
after(() => rmSync(root, { recursive: true, force: true }));

const post = (baseUrl: string, title: string) =>
  fetch(`${baseUrl}/api/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });

describe('start-up', () => {
  it('exits 2 naming every bad variable, and starts nothing', async () => {
    const result = await runMain({
      PORT: 'eighty',
      LOG_LEVEL: 'chatty',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon',
      DATA_DIR: join(root, 'never'),
    });
    assert.equal(result.code, 2);
    for (const name of ['PORT', 'LOG_LEVEL', 'OTEL_EXPORTER_OTLP_PROTOCOL'])
      assert.match(result.stderr, new RegExp(`${name}=`));
    assert.match(result.stderr, /invalid configuration/);
    assert.equal(result.stdout, '');
  });

  it('exits 1 with what to do when DATA_DIR is not writable', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a directory');
    const result = await runMain({ DATA_DIR: join(file, 'data'), LOG_LEVEL: 'error' });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /DATA_DIR .*a-file\/data is not usable \(ENOTDIR\): point DATA_DIR at a writable directory/,
    );
  });

  it('creates a missing DATA_DIR and answers ready within 1.5 s of start', async () => {
    const started = performance.now();
    const service = await startServiceProcess({ DATA_DIR: join(root, 'fresh', 'nested'), LOG_LEVEL: 'warn' });
    const ready = await fetch(`${service.baseUrl}/health/ready`);
    const elapsed = performance.now() - started;
    assert.equal(ready.status, 200);
    assert.deepEqual(await service.stop(), { code: 0, signal: null });
    // Reported, not asserted tightly: the benchmark measures start time; this only catches a regression by an order of magnitude.
    assert.ok(elapsed < 15_000, `ready after ${elapsed} ms`);
  });
});

describe('durability on SQLite', () => {
  it('loses no acknowledged write when the process is killed with SIGKILL', async () => {
    const dataDir = join(root, 'sigkill');
    const service = await startServiceProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    const acknowledged: { id: number; title: string }[] = [];
    let sent = 0;
    // Eight clients write steadily; the process is killed mid-stream once 150 writes were acknowledged.
    const client = async () => {
      while (service.child.exitCode === null && service.child.signalCode === null) {
        const title = `durable ${sent++}`;
        try {
          const response = await post(service.baseUrl, title);
          if (response.status === 201)
            acknowledged.push((await response.json()) as { id: number; title: string });
        } catch {
          return; // the connection died with the process
        }
        if (acknowledged.length === 150) service.child.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    assert.deepEqual(await service.exited, { code: null, signal: 'SIGKILL' });
    assert.ok(
      acknowledged.length >= 150 && sent > acknowledged.length,
      `${acknowledged.length} of ${sent} writes acknowledged before the kill`,
    );

    const restarted = await startServiceProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    try {
      const stored = (
        (await (await fetch(`${restarted.baseUrl}/api/tasks?limit=1000`)).json()) as {
          tasks: { id: number; title: string }[];
        }
      ).tasks;
      const byId = new Map(stored.map((task) => [task.id, task.title]));
      for (const task of acknowledged)
        assert.equal(byId.get(task.id), task.title, `acknowledged task ${task.id} survived`);
    } finally {
      await restarted.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight request on SIGTERM, refuses new ones, and exits 0', async () => {
    const service = await startServiceProcess({ DATA_DIR: join(root, 'sigterm'), LOG_LEVEL: 'info' });
    const slow = fetch(`${service.baseUrl}/api/simulate-slow?delay=1`);
    await eventually(() => assert.ok(service.logs().length > 0));
    await new Promise((resolve) => setTimeout(resolve, 200));
    service.child.kill('SIGTERM');
    await eventually(() => assert.ok(service.logs().some((line) => line['msg'] === 'shutting down')));
    // A new connection (no agent: fetch would reuse its idle keep-alive socket, which is served
    // with Connection: close during the drain) is refused.
    await assert.rejects(
      new Promise((resolve, reject) =>
        httpGet(`${service.baseUrl}/health/live`, { agent: false }, resolve).on('error', reject),
      ),
      { code: 'ECONNREFUSED' },
      'a new connection is refused while draining',
    );
    const response = await slow;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { message: 'responded after 1 s', delay: 1 });
    assert.deepEqual(await service.exited, { code: 0, signal: null });
    assert.ok(service.logs().some((line) => line['msg'] === 'stopped'));
  });

  it('bounds the wait for in-flight requests by SHUTDOWN_TIMEOUT_MS', async () => {
    const service = await startServiceProcess({
      DATA_DIR: join(root, 'bounded'),
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '300',
    });
    const slow = fetch(`${service.baseUrl}/api/simulate-slow?delay=8`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = performance.now();
    service.child.kill('SIGTERM');
    assert.deepEqual(await service.exited, { code: 0, signal: null });
    assert.ok(performance.now() - stopped < 4000, 'did not wait for the 8 s request');
    assert.ok((await slow) instanceof Error, 'the cut request fails on the client');
  });
});

describe('PostgreSQL outages: stopped and frozen', () => {
  let postgres: PostgresServer;
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await postgres?.destroy();
  });

  it('answers 503 with Retry-After and a fixed readiness message while stopped, and is back within 2 s of its return', async () => {
    const service = await startServiceProcess({
      DATABASE_URL: await postgres.createDatabase('readiness'),
      LOG_LEVEL: 'fatal',
    });
    try {
      assert.equal((await fetch(`${service.baseUrl}/health/ready`)).status, 200);
      await postgres.stop();
      const down = await eventually(async () => {
        const response = await fetch(`${service.baseUrl}/health/ready`);
        assert.equal(response.status, 503);
        return (await response.json()) as { status: string; details: { database: { status: string } } };
      });
      assert.equal(down.status, 'error');
      assert.equal(down.details.database.status, 'down');
      assert.equal(
        (await fetch(`${service.baseUrl}/health/live`)).status,
        200,
        'liveness does not depend on the database',
      );
      assert.deepEqual(down.details.database, DATABASE_DOWN_BODY, 'a fixed message, no driver text');
      assert.doesNotMatch(JSON.stringify(down), new RegExp(`${postgres.port}|ECONNREFUSED|127\\.0\\.0\\.1`));
      const list = await fetch(`${service.baseUrl}/api/tasks`);
      assert.equal(list.status, 503);
      assert.equal(list.headers.get('retry-after'), '2');
      assert.deepEqual(await list.json(), { error: 'the database is unavailable: retry in a few seconds' });
      assert.equal((await post(service.baseUrl, 'during the outage')).status, 503);

      await postgres.start();
      const restarted = performance.now();
      await eventually(async () => assert.equal((await fetch(`${service.baseUrl}/api/tasks`)).status, 200), {
        timeoutMs: 15_000,
        intervalMs: 20,
      });
      const recovered = performance.now() - restarted;
      await eventually(
        async () => assert.equal((await fetch(`${service.baseUrl}/health/ready`)).status, 200),
        { timeoutMs: 15_000 },
      );
      assert.equal((await post(service.baseUrl, 'after the outage')).status, 201);
      process.stdout.write(
        `# PostgreSQL stopped: back ${Math.round(recovered)} ms after it accepted connections again\n`,
      );
      assert.ok(recovered < 2000, `back within 2 s of recovery: ${recovered} ms`);
    } finally {
      await service.stop();
    }
  });

  it('answers 503 with Retry-After within about 2 s instead of hanging, readiness 503, and recovers at once', async () => {
    const service = await startServiceProcess({
      DATABASE_URL: await postgres.createDatabase('frozen'),
      LOG_LEVEL: 'fatal',
    });
    try {
      assert.equal((await post(service.baseUrl, 'before the freeze')).status, 201);
      postgres.freeze();
      const started = performance.now();
      const list = await fetch(`${service.baseUrl}/api/tasks`);
      const firstAnswer = performance.now() - started;
      assert.equal(list.status, 503);
      assert.equal(list.headers.get('retry-after'), '2');
      assert.deepEqual(await list.json(), { error: 'the database is unavailable: retry in a few seconds' });
      const burst = await Promise.all(
        Array.from({ length: 15 }, () => fetch(`${service.baseUrl}/api/tasks/1`)),
      );
      const burstTime = performance.now() - started - firstAnswer;
      assert.deepEqual(
        burst.map((response) => response.status),
        Array(15).fill(503),
        'more requests than connections: each still answers 503',
      );
      const ready = await fetch(`${service.baseUrl}/health/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual(((await ready.json()) as { details: unknown }).details, {
        database: DATABASE_DOWN_BODY,
      });
      postgres.thaw();
      const thawed = performance.now();
      await eventually(async () => assert.equal((await fetch(`${service.baseUrl}/api/tasks`)).status, 200), {
        timeoutMs: 15_000,
        intervalMs: 20,
      });
      const recovered = performance.now() - thawed;
      await eventually(async () =>
        assert.equal((await fetch(`${service.baseUrl}/health/ready`)).status, 200),
      );
      process.stdout.write(
        `# PostgreSQL frozen: first 503 after ${Math.round(firstAnswer)} ms, 15 more in ${Math.round(burstTime)} ms; back ${Math.round(recovered)} ms after the thaw\n`,
      );
      assert.ok(firstAnswer < 3000, `the first 503 came after ${firstAnswer} ms`);
      assert.ok(burstTime < 5000, `the burst was answered in ${burstTime} ms`);
      assert.ok(recovered < 2000, `back within 2 s of the thaw: ${recovered} ms`);
    } finally {
      postgres.thaw();
      await service.stop();
    }
  });
});

describe('shutdown under keep-alive load and with an unreachable Collector', () => {
  it('gives keep-alive clients no reset: draining responses carry Connection: close', async () => {
    const service = await startServiceProcess({ DATA_DIR: join(root, 'keep-alive'), LOG_LEVEL: 'warn' });
    let answered = 0;
    let closing = 0;
    const failures: string[] = [];
    let terminated = false;
    const client = async () => {
      for (;;) {
        try {
          const response = await fetch(`${service.baseUrl}/api/tasks?limit=1`);
          await response.arrayBuffer();
          answered++;
          if (response.headers.get('connection') === 'close') closing++;
        } catch (error) {
          const cause = (error as { cause?: { code?: string; message?: string } }).cause;
          // A refused new connection is the end of the service, not a reset of a live one.
          if (cause?.code !== 'ECONNREFUSED')
            failures.push(`${cause?.code ?? ''} ${cause?.message ?? String(error)}`);
          if (terminated) return;
        }
      }
    };
    const clients = Array.from({ length: 20 }, client);
    await eventually(() => assert.ok(answered > 200, `${answered} answered`));
    terminated = true;
    const stopping = performance.now();
    service.child.kill('SIGTERM');
    await Promise.all(clients);
    assert.deepEqual(await service.exited, { code: 0, signal: null });
    const took = performance.now() - stopping;
    process.stdout.write(
      `# SIGTERM under keep-alive: ${answered} answered, ${closing} with Connection: close, exit after ${Math.round(took)} ms\n`,
    );
    assert.deepEqual(failures, [], 'no client saw a reset');
    assert.ok(closing > 0, 'draining responses said Connection: close');
  });

  it('exits 0 within SHUTDOWN_TIMEOUT_MS when the Collector refuses connections, logging the dropped flush once', async () => {
    const [closedPort] = await freePorts(1);
    const service = await startServiceProcess({
      DATA_DIR: join(root, 'no-collector'),
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '2000',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}`,
    });
    for (let i = 0; i < 5; i++) assert.equal((await post(service.baseUrl, `unsent ${i}`)).status, 201);
    const stopping = performance.now();
    service.child.kill('SIGTERM');
    assert.deepEqual(await service.exited, { code: 0, signal: null });
    const took = performance.now() - stopping;
    process.stdout.write(`# SIGTERM with the Collector unreachable: exit 0 after ${Math.round(took)} ms\n`);
    assert.ok(took < 2000 + 1000, `exited after ${took} ms`);
    const flushLines = service.logs().filter((line) => /telemetry flush/.test(String(line['msg'])));
    assert.equal(flushLines.length, 1, JSON.stringify(flushLines));
    assert.equal(flushLines[0]!['level'], 'warn');
    assert.doesNotMatch(service.noise(), /ECONNREFUSED|Unhandled|uncaught/i);
  });
});
