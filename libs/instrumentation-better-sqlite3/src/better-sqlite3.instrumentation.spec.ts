import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isWrapped } from '@opentelemetry/instrumentation';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import type BetterSqlite3 from 'better-sqlite3';
import { BetterSqlite3Instrumentation } from './better-sqlite3.instrumentation.js';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_RETURNED_ROWS,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
} from './semconv.constants.js';

// The instrumentation must be enabled before better-sqlite3 is required, as in an application
// that starts the OpenTelemetry SDK first: the require hook then patches the module.
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);
const instrumentation = new BetterSqlite3Instrumentation();
instrumentation.setTracerProvider(provider);
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const tracer = provider.getTracer('spec');

/** Runs `fn` inside an active, recording "request" span and returns that span's id. */
function withinRequest(fn: () => void): string {
  return tracer.startActiveSpan('request', (span) => {
    try {
      fn();
    } finally {
      span.end();
    }
    return span.spanContext().spanId;
  });
}

function clientSpans(): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT);
}

function onlyClientSpan(): ReadableSpan {
  const spans = clientSpans();
  assert.equal(spans.length, 1, `expected one CLIENT span, got: ${spans.map((s) => s.name).join(', ')}`);
  return spans[0]!;
}

void describe('BetterSqlite3Instrumentation', () => {
  let directory: string;
  let path: string;
  let db: BetterSqlite3.Database;

  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'instrumentation-better-sqlite3-'));
    path = join(directory, 'tasks.db');
    db = new Database(path);
    db.exec(
      'CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE, done INTEGER NOT NULL DEFAULT 0)',
    );
    db.prepare('INSERT INTO tasks (title) VALUES (?), (?), (?)').run('seed one', 'seed two', 'seed three');
    exporter.reset();
  });

  afterEach(() => exporter.reset());

  after(() => {
    db.close();
    rmSync(directory, { recursive: true, force: true });
    contextManager.disable();
  });

  void it('records a CLIENT span with the stable semantic conventions for an INSERT', () => {
    const insert = db.prepare('INSERT INTO tasks (title) VALUES (?)');
    const requestId = withinRequest(() => insert.run('write the report'));

    const span = onlyClientSpan();
    assert.equal(span.name, 'INSERT tasks');
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.equal(span.parentSpanContext?.spanId, requestId);
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.deepEqual(span.attributes, {
      [ATTR_DB_SYSTEM_NAME]: 'sqlite',
      [ATTR_DB_NAMESPACE]: path,
      [ATTR_DB_QUERY_TEXT]: 'INSERT INTO tasks (title) VALUES (?)',
      [ATTR_DB_OPERATION_NAME]: 'INSERT',
      [ATTR_DB_COLLECTION_NAME]: 'tasks',
    });
  });

  void it('records the returned row count of get() and all()', () => {
    const byTitle = db.prepare('SELECT * FROM tasks WHERE title = ?');
    const all = db.prepare('SELECT id, title FROM tasks ORDER BY id');
    withinRequest(() => {
      byTitle.get('seed one');
      byTitle.get('no such task');
      all.all();
    });

    const [found, missing, listed] = clientSpans() as [ReadableSpan, ReadableSpan, ReadableSpan];
    assert.equal(found.name, 'SELECT tasks');
    assert.equal(found.attributes[ATTR_DB_RESPONSE_RETURNED_ROWS], 1);
    assert.equal(missing.attributes[ATTR_DB_RESPONSE_RETURNED_ROWS], 0);
    assert.equal(
      listed.attributes[ATTR_DB_RESPONSE_RETURNED_ROWS],
      db.prepare('SELECT count(*) FROM tasks').pluck().get(),
    );
    assert.deepEqual(listed.attributes, {
      [ATTR_DB_SYSTEM_NAME]: 'sqlite',
      [ATTR_DB_NAMESPACE]: path,
      [ATTR_DB_QUERY_TEXT]: 'SELECT id, title FROM tasks ORDER BY id',
      [ATTR_DB_OPERATION_NAME]: 'SELECT',
      [ATTR_DB_COLLECTION_NAME]: 'tasks',
      [ATTR_DB_RESPONSE_RETURNED_ROWS]: listed.attributes[ATTR_DB_RESPONSE_RETURNED_ROWS],
    });
  });

  void it('records one span per iterate() that ends when the iteration ends, counting rows', () => {
    const titles = db.prepare('SELECT title FROM tasks ORDER BY id').pluck();
    withinRequest(() => {
      const seen: unknown[] = [];
      for (const title of titles.iterate()) seen.push(title);
      assert.ok(seen.length >= 3);
      assert.equal(clientSpans().length, 1);
    });
    const span = onlyClientSpan();
    assert.equal(span.name, 'SELECT tasks');
    assert.equal(
      span.attributes[ATTR_DB_RESPONSE_RETURNED_ROWS],
      db.prepare('SELECT count(*) FROM tasks').pluck().get(),
    );
  });

  void it('ends the iterate() span and releases the statement when the loop breaks early', () => {
    const titles = db.prepare('SELECT title FROM tasks ORDER BY id').pluck();
    withinRequest(() => {
      for (const title of titles.iterate()) {
        assert.equal(title, 'seed one');
        assert.equal(clientSpans().length, 0, 'the span is still open while iterating');
        break;
      }
      // The database would be busy if the native iterator had not been returned.
      db.prepare('UPDATE tasks SET done = 1 WHERE id = ?').run(1);
    });
    const [iterated, updated] = clientSpans();
    assert.equal(iterated?.attributes[ATTR_DB_RESPONSE_RETURNED_ROWS], 1);
    assert.equal(updated?.name, 'UPDATE tasks');
  });

  void it('records exec() with the operation of a single statement and none for several', () => {
    withinRequest(() => {
      db.exec('CREATE TABLE IF NOT EXISTS tags (name TEXT)');
      db.exec('DELETE FROM tags; DELETE FROM tags');
    });
    const [single, several] = clientSpans();
    assert.equal(single?.name, 'CREATE tags');
    assert.equal(single.attributes[ATTR_DB_OPERATION_NAME], 'CREATE');
    assert.equal(single.attributes[ATTR_DB_COLLECTION_NAME], 'tags');
    assert.equal(several?.name, 'sqlite');
    assert.deepEqual(several.attributes, {
      [ATTR_DB_SYSTEM_NAME]: 'sqlite',
      [ATTR_DB_NAMESPACE]: path,
      [ATTR_DB_QUERY_TEXT]: 'DELETE FROM tags; DELETE FROM tags',
    });
  });

  void it('records BEGIN, the statements and COMMIT of a transaction, and ROLLBACK when it throws', () => {
    const memory = new Database(':memory:');
    memory.exec('CREATE TABLE t (x INTEGER)');
    const insertAll = memory.transaction((values: number[]) => {
      const insert = memory.prepare('INSERT INTO t (x) VALUES (?)');
      for (const value of values) insert.run(value);
    });
    const failing = memory.transaction(() => {
      memory.prepare('INSERT INTO t (x) VALUES (?)').run(3);
      throw new Error('abort the transaction');
    });
    withinRequest(() => {
      insertAll([1, 2]);
      assert.throws(() => failing(), /abort the transaction/);
    });
    memory.close();

    const spans = clientSpans();
    assert.deepEqual(
      spans.map((span) => span.name),
      ['BEGIN', 'INSERT t', 'INSERT t', 'COMMIT', 'BEGIN', 'INSERT t', 'ROLLBACK'],
    );
    assert.ok(spans.every((span) => span.attributes[ATTR_DB_NAMESPACE] === ':memory:'));
  });

  void it('records pragma() as a PRAGMA statement', () => {
    withinRequest(() => db.pragma('journal_mode', { simple: true }));
    const span = onlyClientSpan();
    assert.equal(span.name, 'PRAGMA');
    assert.equal(span.attributes[ATTR_DB_QUERY_TEXT], 'PRAGMA journal_mode');
  });

  void it('records no span for a statement executed without an active span', () => {
    db.prepare('SELECT * FROM tasks').all();
    db.exec('SELECT 1');
    assert.deepEqual(clientSpans(), []);
  });

  void it('records no span inside a non-recording parent span', () => {
    const unsampled = trace.wrapSpanContext({
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: 0,
    });
    context.with(trace.setSpan(context.active(), unsampled), () => db.prepare('SELECT 1').get());
    assert.deepEqual(clientSpans(), []);
  });

  void it('records root spans when requireParentSpan is false', () => {
    instrumentation.setConfig({ requireParentSpan: false });
    try {
      db.prepare('SELECT * FROM tasks WHERE id = ?').get(1);
    } finally {
      instrumentation.setConfig({});
    }
    const span = onlyClientSpan();
    assert.equal(span.parentSpanContext, undefined);
    assert.equal(span.name, 'SELECT tasks');
  });

  void it('marks a failing statement as an error with an exception event and the SQLite code', () => {
    const insert = db.prepare('INSERT INTO tasks (title) VALUES (?)');
    withinRequest(() => assert.throws(() => insert.run('seed one'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }));

    const span = onlyClientSpan();
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.match(span.status.message ?? '', /UNIQUE constraint failed/);
    assert.equal(span.attributes[ATTR_ERROR_TYPE], 'SQLITE_CONSTRAINT_UNIQUE');
    assert.equal(span.attributes[ATTR_DB_RESPONSE_STATUS_CODE], 'SQLITE_CONSTRAINT_UNIQUE');
    const [event] = span.events;
    assert.equal(event?.name, 'exception');
    assert.equal(event.attributes?.['exception.type'], 'SQLITE_CONSTRAINT_UNIQUE');
    assert.match(String(event.attributes?.['exception.message']), /UNIQUE constraint failed/);
  });

  void it('records a statement that fails to prepare as an error span', () => {
    withinRequest(() => assert.throws(() => db.prepare('SELECT * FROM missing_table'), /no such table/));
    const span = onlyClientSpan();
    assert.equal(span.name, 'SELECT missing_table');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes[ATTR_ERROR_TYPE], 'SQLITE_ERROR');
    assert.equal(span.events[0]?.name, 'exception');
  });

  void it('never records bound values in any attribute or event', () => {
    const secret = 'secret-title-7f3a9c';
    const insert = db.prepare('INSERT INTO tasks (title, done) VALUES (:title, :done)');
    const select = db.prepare('SELECT * FROM tasks WHERE title = ?');
    withinRequest(() => {
      insert.run({ title: secret, done: 424242 });
      select.get(secret);
      select.all(secret);
      assert.equal(Array.from(select.iterate(secret)).length, 1);
      assert.throws(() => insert.run({ title: secret, done: 424242 }));
    });

    const spans = clientSpans();
    assert.equal(spans.length, 5);
    const recorded = JSON.stringify(
      spans.map((span) => ({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        status: span.status,
      })),
    );
    assert.ok(!recorded.includes(secret), recorded);
    assert.ok(!recorded.includes('424242'), recorded);
  });

  void it('truncates db.query.text to maxQueryTextLength and rejects an invalid length', () => {
    instrumentation.setConfig({ maxQueryTextLength: 12 });
    try {
      withinRequest(() => db.prepare('SELECT title FROM tasks').all());
    } finally {
      instrumentation.setConfig({});
    }
    const span = onlyClientSpan();
    assert.equal(span.attributes[ATTR_DB_QUERY_TEXT], 'SELECT title');
    assert.equal(span.attributes[ATTR_DB_COLLECTION_NAME], 'tasks');
    assert.throws(
      () => new BetterSqlite3Instrumentation({ maxQueryTextLength: 0 }),
      /maxQueryTextLength must be a positive integer, got 0/,
    );
  });

  void it('unpatches better-sqlite3 on disable() and patches it again on enable()', () => {
    const statement = db.prepare('SELECT * FROM tasks');
    // eslint-disable-next-line @typescript-eslint/unbound-method -- only inspected
    assert.equal(isWrapped(Database.prototype.prepare), true);
    instrumentation.disable();
    try {
      // eslint-disable-next-line @typescript-eslint/unbound-method -- only inspected
      assert.equal(isWrapped(Database.prototype.prepare), false);
      assert.equal(isWrapped((Object.getPrototypeOf(statement) as { all: unknown }).all), false);
      withinRequest(() => {
        statement.all();
        db.prepare('SELECT 1').get();
        db.exec('SELECT 1');
      });
      assert.deepEqual(clientSpans(), []);
    } finally {
      instrumentation.enable();
    }
    withinRequest(() => db.prepare('SELECT * FROM tasks').all());
    assert.equal(onlyClientSpan().name, 'SELECT tasks');
  });
});
