// `npm run bench`: throughput and latency of the task API, side by side in one run with two
// ceilings (a bare node:http server over an array, and a raw node:http + better-sqlite3 server
// running the same SQL), task-api with telemetry off and fully instrumented (exporting to a local
// OTLP sink), with the chosen heap settings and with the alternative. Rounds alternate between the
// targets, and the table shows each target's median round.
import { freePort } from '@obslab/process';
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { create, fillTable, get, list, listLarge, type Scenario, seed } from './bench.scenarios.js';
import { cpuMs, rssMb, startTarget, type Target, type TargetPlan } from './bench.target.js';

const HELP = `Usage: npm run bench -- [--duration S] [--rounds N] [--connections N,M] [--cpu-prof DIR] [--out FILE]

Measures req/s, p50 and p99 latency of list (100 tasks), get and create, and of list on a table of
100,000 rows, on targets started side by side:
  bare node:http          a JSON server over an in-memory array (no database)
  raw ceiling             node:http + better-sqlite3 prepared statements running task-api's SQL on
                          the same table and indexes (WAL, synchronous=NORMAL), no framework, no telemetry
  task-api, telemetry off OTEL_SDK_DISABLED=true
  task-api, instrumented  traces and logs exported to a local OTLP sink
  task-api, instrumented, <alternative heap settings>
Every task-api target runs at LOG_LEVEL=info (one access line per request) with stdout discarded.
Rounds alternate between targets; each cell is the target's median round. CPU µs/req is the
target's own CPU time (user + system) per request served, which other load on the machine
disturbs far less than req/s and latency. Also measures peak RSS
under load and the time from process start to a 200 on /health/ready.

  --duration S        seconds of load per round (default 8; the first round is preceded by a 2 s warm-up)
  --rounds N          rounds per scenario and connection count (default 3)
  --connections N,M   concurrent connections, comma-separated (default 16,50)
  --cpu-prof DIR      run every target under --cpu-prof, writing its profile into DIR
  --out FILE          also write the results as JSON (default bench-results/http.json)
  --help              this text`;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16,50' },
    'cpu-prof': { type: 'string' },
    out: { type: 'string', default: 'bench-results/http.json' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const positive = (text: string) => (/^\d+$/.test(text) && Number(text) > 0 ? Number(text) : NaN);
const duration = positive(values.duration);
const rounds = positive(values.rounds);
const connectionCounts = values.connections.split(',').map((item) => positive(item.trim()));
if ([duration, rounds, ...connectionCounts].some(Number.isNaN)) {
  console.error('bench: --duration, --rounds and --connections take positive whole numbers (see --help)');
  process.exit(2);
}

/** The heap settings task-api runs with (libs/stack's task-api NODE_OPTIONS, project.json serve,
 * the container image): see the README's Benchmark section for the measurement that chose them. */
const TASK_API_NODE_OPTIONS = '--max-semi-space-size=4 --max-old-space-size=128';
/** The alternative shown beside it: the same young generation without the old-generation cap. */
const ALTERNATIVE_NODE_OPTIONS = '--max-semi-space-size=4';
/** Rows in the table for the "list, 100,000 rows" scenario (it must stay as fast as on 100 rows). */
const LARGE_TABLE_ROWS = 100_000;

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const MAIN = here('../main.js');

interface Result {
  target: string;
  scenario: string;
  connections: number;
  round: number;
  rps: number;
  /** The target's CPU time per request served: robust to other load on the machine. */
  cpuUsPerRequest: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Loads one target, sampling its RSS while it is under load. */
async function load(target: Target, scenario: Scenario, connections: number, seconds: number) {
  const pid = target.child.pid!;
  const sampler = setInterval(() => (target.peakRssMb = Math.max(target.peakRssMb, rssMb(pid))), 200);
  let result: autocannon.Result;
  try {
    result = await autocannon({ ...scenario.request(target.baseUrl), connections, duration: seconds });
  } finally {
    clearInterval(sampler);
  }
  const { exitCode, signalCode } = target.child;
  if (exitCode !== null || signalCode !== null) {
    throw new Error(
      `${target.name} ended during "${scenario.name}" (exit code ${exitCode}, signal ${signalCode}): see its stderr above`,
    );
  }
  return result;
}

const all: Result[] = [];

/** Every round of one scenario alternates over the targets: A B C D, A B C D, … */
async function runScenario(scenario: Scenario, targets: Target[]): Promise<void> {
  for (const connections of connectionCounts) {
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) {
        process.stderr.write(
          `[bench] ${scenario.name}, ${connections} connections, round ${round}/${rounds}: ${target.name}\n`,
        );
        if (round === 1) await load(target, scenario, connections, 2);
        const cpuBefore = cpuMs(target.child.pid!);
        const result = await load(target, scenario, connections, duration);
        const cpuUsed = cpuMs(target.child.pid!) - cpuBefore;
        all.push({
          target: target.name,
          scenario: scenario.name,
          connections,
          round,
          rps: result.requests.average,
          cpuUsPerRequest: result.requests.total > 0 ? (1000 * cpuUsed) / result.requests.total : 0,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
        });
      }
    }
  }
}

/** A Markdown-style table; the first `textColumns` columns are left-aligned, numbers right-aligned. */
function table(rows: string[][], textColumns = 3): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row, index) => {
      const line = row
        .map((cell, column) =>
          column < textColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
        )
        .join(' | ');
      return index === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}` : line;
    })
    .join('\n');
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const BARE = 'bare node:http';
const RAW = 'raw ceiling';
const OFF = 'task-api, telemetry off';
const ON = 'task-api, instrumented';
const ON_ALTERNATIVE = `task-api, instrumented, ${ALTERNATIVE_NODE_OPTIONS}`;

const work = mkdtempSync(join(tmpdir(), 'obslab-bench-'));
const sinkPort = await freePort();
const sink = spawn(process.execPath, [here('./otlp-sink.js'), String(sinkPort)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const instrumented = {
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
  OTEL_SERVICE_NAME: 'task-api-bench',
};
const plans: TargetPlan[] = [
  { name: BARE, args: (port) => [here('./bare-server.js'), String(port)], env: {} },
  {
    name: RAW,
    args: (port) => [here('./raw-server.js'), String(port), join(work, 'raw.db')],
    env: {},
    database: join(work, 'raw.db'),
  },
  {
    name: OFF,
    args: () => [MAIN],
    env: { DATA_DIR: join(work, 'off'), OTEL_SDK_DISABLED: 'true', NODE_OPTIONS: TASK_API_NODE_OPTIONS },
    database: join(work, 'off', 'tasks.db'),
  },
  {
    name: ON,
    args: () => [MAIN],
    env: { DATA_DIR: join(work, 'on'), ...instrumented, NODE_OPTIONS: TASK_API_NODE_OPTIONS },
    database: join(work, 'on', 'tasks.db'),
  },
  {
    name: ON_ALTERNATIVE,
    args: () => [MAIN],
    env: { DATA_DIR: join(work, 'alt'), ...instrumented, NODE_OPTIONS: ALTERNATIVE_NODE_OPTIONS },
    database: join(work, 'alt', 'tasks.db'),
  },
];
const targets: Target[] = [];
try {
  for (const plan of plans) {
    process.stderr.write(`[bench] starting ${plan.name}\n`);
    targets.push(await startTarget(plan, values['cpu-prof']));
  }
  for (const target of targets) await seed(target.baseUrl);
  // Reads first on 100 rows, then writes (which grow the tables), then reads on 100,000 rows.
  await runScenario(list, targets);
  await runScenario(get, targets);
  await runScenario(create, targets);
  const withDatabase = targets.filter((target) => target.database !== undefined);
  for (const target of withDatabase) fillTable(target.database!, LARGE_TABLE_ROWS);
  await runScenario(listLarge, withDatabase);
} finally {
  await Promise.all(targets.map((target) => target.stop()));
  sink.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}

interface Cell {
  rps: number;
  cpu: number;
  p50: number;
  p99: number;
  errors: number;
}
const cell = (target: string, scenario: string, connections: number): Cell | undefined => {
  const results = all.filter(
    (r) => r.target === target && r.scenario === scenario && r.connections === connections,
  );
  if (results.length === 0) return undefined;
  return {
    rps: median(results.map((r) => r.rps)),
    cpu: median(results.map((r) => r.cpuUsPerRequest)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  };
};
const ratio = (value: number, base: Cell | undefined) => (base ? (value / base.rps).toFixed(2) : '');
const rows = [
  [
    'scenario',
    'conns',
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'CPU µs/req',
    'vs bare',
    'vs raw',
    'vs off',
  ],
];
for (const scenario of [list, get, create, listLarge]) {
  for (const connections of connectionCounts) {
    const bare = cell(BARE, scenario.name, connections);
    const raw = cell(RAW, scenario.name, connections);
    const off = cell(OFF, scenario.name, connections);
    for (const target of plans) {
      const result = cell(target.name, scenario.name, connections);
      if (!result) continue;
      rows.push([
        scenario.name,
        String(connections),
        target.name,
        result.rps.toFixed(0),
        result.p50.toFixed(1),
        result.p99.toFixed(1),
        String(result.errors),
        result.cpu.toFixed(0),
        target.name === BARE ? '' : ratio(result.rps, bare),
        target.name === BARE || target.name === RAW ? '' : ratio(result.rps, raw),
        target.name.startsWith('task-api') && target.name !== OFF ? ratio(result.rps, off) : '',
      ]);
    }
  }
}
console.log(
  `\nHTTP benchmark: ${duration} s per round, ${rounds} round(s) alternating between targets (medians), Node ${process.version};` +
    `\ntask-api NODE_OPTIONS="${TASK_API_NODE_OPTIONS}" unless the target names another\n`,
);
console.log(table(rows));
console.log('');
console.log(
  table(
    [
      ['target', 'ready after start ms', 'peak RSS under load MB'],
      ...targets.map((t) => [t.name, t.readyMs.toFixed(0), t.peakRssMb.toFixed(0)]),
    ],
    1,
  ),
);
const failures = all.filter((r) => r.errors + r.non2xx > 0);
mkdirSync(join(values.out, '..'), { recursive: true });
writeFileSync(
  values.out,
  `${JSON.stringify(
    {
      duration,
      rounds,
      connections: connectionCounts,
      results: all,
      summary: targets.map((t) => ({ target: t.name, readyMs: t.readyMs, peakRssMb: t.peakRssMb })),
    },
    null,
    2,
  )}\n`,
);
if (failures.length > 0) {
  console.error(
    `bench: ${failures.length} round(s) had errors, timeouts or non-2xx responses: the numbers above are not valid`,
  );
  process.exit(1);
}
