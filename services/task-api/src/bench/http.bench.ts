// `npm run bench`: throughput and latency of the task API, side by side in one run with two
// ceilings (a bare node:http server over an array, and a raw node:http + better-sqlite3 server
// running the same SQL), task-api with telemetry off and fully instrumented (exporting to a local
// OTLP sink), with the chosen heap settings and with the alternative. Rounds alternate between the
// targets, and the table shows each target's median round.
import { freePort } from '@obslab/process';
import Database from 'better-sqlite3';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { toSqliteTimestamp } from '../tasks/store/sqlite-task.sql.js';
import { type Result, resultRows, table } from './bench-table.js';
import { assertWrkInstalled, wrk, type WrkRequest, type WrkResult } from './wrk.js';

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
Load comes from wrk (2 threads; Debian: apt-get install wrk), which opens every connection before
its first request (Node accepts one connection per event-loop turn: see src/bench/wrk.ts), so
latencies are those of established connections. Rounds alternate between targets;
each cell is the target's median round. CPU µs/req is the
target's own CPU time (user + system) per request served, which other load on the machine
disturbs far less than req/s and latency. Also measures peak RSS
under load and the time from process start to a 200 on /health/ready.

  --duration S        seconds per round, the first 0.3 s of them opening the connections (default 8;
                      the first round is preceded by a 2 s warm-up)
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
const MAIN = here('../bundle/main.js');

interface TargetPlan {
  name: string;
  args: (port: number) => string[];
  env: NodeJS.ProcessEnv;
  /** The SQLite file it serves, for the large-table scenario; none for the in-memory ceiling. */
  database?: string;
}

interface Target extends TargetPlan {
  child: ChildProcess;
  baseUrl: string;
  readyMs: number;
  peakRssMb: number;
  stop(): Promise<void>;
}

async function waitReady(baseUrl: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${baseUrl}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).status === 200) return performance.now() - started;
    } catch {
      // not yet listening
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function startTarget(plan: TargetPlan): Promise<Target> {
  const port = await freePort();
  const profile = values['cpu-prof'];
  const profileArgs = profile
    ? ['--cpu-prof', `--cpu-prof-dir=${join(profile, plan.name.replace(/[^a-z0-9]+/gi, '-'))}`]
    : [];
  const started = performance.now();
  const child = spawn(process.execPath, [...profileArgs, ...plan.args(port)], {
    env: { PATH: process.env['PATH'], PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...plan.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(baseUrl, child, started);
  return {
    ...plan,
    child,
    baseUrl,
    readyMs,
    peakRssMb: 0,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** CPU time (user + system) the process has used so far, in milliseconds (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readProc(pid, 'stat').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readProc(pid, 'status'))?.[1] ?? 0) / 1024;
}

/** A /proc file of a target, or '' once the process is gone (load() then reports how it ended). */
function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

interface Scenario {
  name: string;
  request: (baseUrl: string) => WrkRequest;
}

const list: Scenario = {
  name: 'list (100 tasks)',
  request: (url) => ({ url: `${url}/api/tasks?limit=100` }),
};
const get: Scenario = { name: 'get', request: (url) => ({ url: `${url}/api/tasks/50` }) };
const create: Scenario = {
  name: 'create',
  request: (url) => ({
    url: `${url}/api/tasks`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'benchmark task', description: 'created under load' }),
  }),
};
const listLarge: Scenario = {
  name: 'list (100 of 100,000 rows)',
  request: (url) => ({ url: `${url}/api/tasks?limit=100` }),
};

async function seed(baseUrl: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${baseUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: `seed ${i}`, description: 'x'.repeat(80) }),
    });
    if (response.status !== 201) throw new Error(`seeding ${baseUrl} failed: ${response.status}`);
  }
}

/** Tops the table up to {@link LARGE_TABLE_ROWS} rows, older than every row already there. */
function fillTable(file: string): void {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    const rows = db.prepare('SELECT count(*) FROM tasks').pluck().get() as number;
    const insert = db.prepare(
      'INSERT INTO tasks (title, description, completed, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    );
    const base = Date.UTC(2020, 0, 1);
    db.transaction(() => {
      for (let i = 0; i < LARGE_TABLE_ROWS - rows; i++) {
        const at = toSqliteTimestamp(new Date(base + i * 1000));
        insert.run(`filler ${i}`, 'x'.repeat(80), i % 3 === 0 ? 1 : 0, at, at);
      }
    })();
  } finally {
    db.close();
  }
}

/** Loads one target, sampling its RSS while it is under load. */
async function load(target: Target, scenario: Scenario, connections: number, seconds: number) {
  const pid = target.child.pid!;
  const sampler = setInterval(() => (target.peakRssMb = Math.max(target.peakRssMb, rssMb(pid))), 200);
  let result: WrkResult;
  try {
    result = await wrk(scenario.request(target.baseUrl), connections, seconds);
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
          rps: result.rps,
          cpuUsPerRequest: result.requests > 0 ? (1000 * cpuUsed) / result.requests : 0,
          p50: result.p50,
          p99: result.p99,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
        });
      }
    }
  }
}

const BARE = 'bare node:http';
const RAW = 'raw ceiling';
const OFF = 'task-api, telemetry off';
const ON = 'task-api, instrumented';
const ON_ALTERNATIVE = `task-api, instrumented, ${ALTERNATIVE_NODE_OPTIONS}`;

try {
  assertWrkInstalled();
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exit(1);
}
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
    targets.push(await startTarget(plan));
  }
  for (const target of targets) await seed(target.baseUrl);
  // Reads first on 100 rows, then writes (which grow the tables), then reads on 100,000 rows.
  await runScenario(list, targets);
  await runScenario(get, targets);
  await runScenario(create, targets);
  const withDatabase = targets.filter((target) => target.database !== undefined);
  for (const target of withDatabase) fillTable(target.database!);
  await runScenario(listLarge, withDatabase);
} finally {
  await Promise.all(targets.map((target) => target.stop()));
  sink.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}

const rows = resultRows(all, {
  scenarios: [list, get, create, listLarge].map((scenario) => scenario.name),
  connectionCounts,
  targets: plans.map((plan) => plan.name),
  bare: BARE,
  raw: RAW,
  off: OFF,
});
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
