// Micro-benchmark: the cost of BetterSqlite3Instrumentation on stmt.get() and stmt.run() against a
// real file database (WAL, synchronous=NORMAL, as an application would open it).
//
//   npx tsc -b && node bench/statement-overhead.bench.ts        (Node 24 strips the types)
//
// Modes: uninstrumented (instrumentation disabled, prototypes unwrapped); instrumented with no
// active span (requireParentSpan: the common "background statement" path); instrumented inside a
// recording span, once with a NoopSpanProcessor (the instrumentation's own cost) and once with a
// SimpleSpanProcessor and an exporter that drops everything (adds the SDK's per-span export path).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  NoopSpanProcessor,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import type BetterSqlite3 from 'better-sqlite3';
import { BetterSqlite3Instrumentation } from '../dist/index.js';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 500);
const ROUNDS = 7;

const dropEverything: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};
const noopProvider = new TracerProvider({ spanProcessors: [new NoopSpanProcessor()] });
const exportingProvider = new TracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ exporter: dropEverything })],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const instrumentation = new BetterSqlite3Instrumentation();
instrumentation.setTracerProvider(noopProvider);
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

const directory = mkdtempSync(join(tmpdir(), 'bench-better-sqlite3-'));
const db = new Database(join(directory, 'bench.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL)');
const seed = db.prepare('INSERT INTO tasks (title, done) VALUES (?, 0)');
db.transaction(() => {
  for (let i = 0; i < 1000; i++) seed.run(`task ${i}`);
})();

type Operation = 'get' | 'run';
const statements = {
  get: db.prepare('SELECT id, title, done FROM tasks WHERE id = ?'),
  run: db.prepare('UPDATE tasks SET done = done + 1 WHERE id = ?'),
};

let nextId = 0;

/** ops/s of one operation over one timed loop of DURATION_MS. */
function measure(operation: Operation): number {
  const statement = statements[operation];
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(DURATION_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 1000; i++) {
      const id = (nextId++ % 1000) + 1;
      if (operation === 'get') statement.get(id);
      else statement.run(id);
    }
    count += 1000;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - start) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function insideRecordingSpan<T>(tracer: Tracer, fn: () => T): T {
  return tracer.startActiveSpan('bench', (span) => {
    try {
      if (!span.isRecording()) throw new Error('the bench parent span must be recording');
      return fn();
    } finally {
      span.end();
    }
  });
}

interface Mode {
  readonly name: string;
  readonly run: (operation: Operation) => number;
}

const modes: Mode[] = [
  {
    name: 'uninstrumented',
    run: (operation) => {
      instrumentation.disable();
      try {
        return measure(operation);
      } finally {
        instrumentation.enable();
        db.prepare('SELECT 1'); // re-patches the native Statement prototype
      }
    },
  },
  {
    name: 'instrumented, no active span',
    run: (operation) => {
      if (trace.getActiveSpan() !== undefined) throw new Error('unexpected active span');
      return measure(operation);
    },
  },
  {
    name: 'instrumented, recording span, NoopSpanProcessor',
    run: (operation) => {
      instrumentation.setTracerProvider(noopProvider);
      return insideRecordingSpan(noopProvider.getTracer('bench'), () => measure(operation));
    },
  },
  {
    name: 'instrumented, recording span, SimpleSpanProcessor + no-op exporter',
    run: (operation) => {
      instrumentation.setTracerProvider(exportingProvider);
      return insideRecordingSpan(exportingProvider.getTracer('bench'), () => measure(operation));
    },
  },
];

// Modes are interleaved round by round so that drift in machine load hits them all alike.
const rows: string[][] = [];
for (const operation of ['get', 'run'] as const) {
  for (const mode of modes) mode.run(operation); // warm-up
  const rates = modes.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    modes.forEach((mode, i) => rates[i]!.push(mode.run(operation)));
  }
  const baseline = median(rates[0]!);
  modes.forEach((mode, i) => {
    const rate = median(rates[i]!);
    rows.push([
      `stmt.${operation}()`,
      mode.name,
      Math.round(rate).toLocaleString('en-US'),
      `${(1e9 / rate).toFixed(0)} ns`,
      (rate / baseline).toFixed(2),
    ]);
  });
}

const header = ['operation', 'mode', 'ops/s', 'per op', 'vs uninstrumented'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
console.log(
  `Node ${process.version}, better-sqlite3 ${createRequire(import.meta.url)('better-sqlite3/package.json').version as string}, ${ROUNDS} interleaved rounds x ${DURATION_MS} ms, median`,
);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));

db.close();
rmSync(directory, { recursive: true, force: true });
