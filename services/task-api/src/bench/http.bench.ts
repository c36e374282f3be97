// `npm run bench`: throughput and latency of the task API, side by side in one run with a bare
// node:http ceiling, with telemetry off and fully instrumented (exporting to a local OTLP sink).
import { freePort } from '@obslab/process';
import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HELP = `Usage: npm run bench -- [--duration S] [--connections N] [--out FILE]

Measures req/s, p50 and p99 latency of list (100 tasks), get and create on three targets started
side by side: a bare node:http JSON server (the ceiling), task-api with OTEL_SDK_DISABLED=true,
and task-api fully instrumented exporting traces and logs to a local OTLP sink. Also measures
peak RSS under load and time from process start to a 200 on /health/ready.

  --duration S      seconds of load per scenario (default 8, after a 2 s warm-up)
  --connections N   concurrent connections (default 16)
  --out FILE        also write the results as JSON (default bench-results/http.json)
  --help            this text`;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '16' },
    out: { type: 'string', default: 'bench-results/http.json' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const duration = Number(values.duration);
const connections = Number(values.connections);
if (!Number.isInteger(duration) || duration < 1 || !Number.isInteger(connections) || connections < 1) {
  console.error('bench: --duration and --connections take positive whole numbers (see --help)');
  process.exit(2);
}

/** The heap settings task-api runs with (project.json serve, the container image): a young
 * generation of 8 MB semi-spaces and an old generation capped at 192 MB, instead of V8's defaults
 * sized for the whole host. */
const TASK_API_NODE_OPTIONS = '--max-semi-space-size=8 --max-old-space-size=192';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const MAIN = here('../main.js');

interface Target {
  name: string;
  child: ChildProcess;
  baseUrl: string;
  readyMs: number;
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

async function startTarget(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<Target> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...args, String(port)], {
    env: { PATH: process.env['PATH'], PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const readyMs = await waitReady(baseUrl, child, started);
  return {
    name,
    child,
    baseUrl,
    readyMs,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

interface Scenario {
  name: string;
  request: (baseUrl: string) => autocannon.Options;
}

const scenarios: Scenario[] = [
  { name: 'list (100 tasks)', request: (url) => ({ url: `${url}/api/tasks?limit=100` }) },
  { name: 'get', request: (url) => ({ url: `${url}/api/tasks/50` }) },
  {
    name: 'create',
    request: (url) => ({
      url: `${url}/api/tasks`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'benchmark task', description: 'created under load' }),
    }),
  },
];

interface Result {
  target: string;
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(options: autocannon.Options, seconds: number): Promise<autocannon.Result> {
  return autocannon({ ...options, connections, duration: seconds });
}

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

async function measure(target: Target): Promise<{ results: Result[]; peakRssMb: number }> {
  await seed(target.baseUrl);
  let peakRssMb = rssMb(target.child.pid!);
  const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(target.child.pid!))), 200);
  const results: Result[] = [];
  try {
    for (const scenario of scenarios) {
      process.stderr.write(`[bench] ${target.name}: ${scenario.name} (warm-up 2 s, then ${duration} s)\n`);
      await load(scenario.request(target.baseUrl), 2);
      const result = await load(scenario.request(target.baseUrl), duration);
      results.push({
        target: target.name,
        scenario: scenario.name,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts,
        non2xx: result.non2xx,
      });
    }
  } finally {
    clearInterval(sampler);
  }
  return { results, peakRssMb };
}

/** A Markdown-style table; the first `textColumns` columns are left-aligned, numbers right-aligned. */
function table(rows: string[][], textColumns = 2): string {
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

const work = mkdtempSync(join(tmpdir(), 'obslab-bench-'));
const sinkPort = await freePort();
const sink = spawn(process.execPath, [here('./otlp-sink.js'), String(sinkPort)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const summary: { target: string; readyMs: number; peakRssMb: number }[] = [];
const all: Result[] = [];
try {
  const plans: [string, string[], NodeJS.ProcessEnv][] = [
    ['bare node:http', [here('./bare-server.js')], {}],
    [
      'task-api, telemetry off',
      [MAIN],
      { DATA_DIR: join(work, 'off'), OTEL_SDK_DISABLED: 'true', NODE_OPTIONS: TASK_API_NODE_OPTIONS },
    ],
    [
      'task-api, instrumented',
      [MAIN],
      {
        DATA_DIR: join(work, 'on'),
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
        OTEL_SERVICE_NAME: 'task-api-bench',
        NODE_OPTIONS: TASK_API_NODE_OPTIONS,
      },
    ],
  ];
  for (const [name, args, env] of plans) {
    process.stderr.write(`[bench] starting ${name}\n`);
    const target = await startTarget(name, args, env);
    try {
      const { results, peakRssMb } = await measure(target);
      all.push(...results);
      summary.push({ target: name, readyMs: target.readyMs, peakRssMb });
    } finally {
      await target.stop();
    }
  }
} finally {
  sink.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}

const find = (target: string, scenario: string) =>
  all.find((r) => r.target === target && r.scenario === scenario)!;
const rows = [['scenario', 'target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'vs bare', 'vs telemetry off']];
for (const scenario of scenarios) {
  const bare = find('bare node:http', scenario.name);
  const off = find('task-api, telemetry off', scenario.name);
  for (const result of all.filter((r) => r.scenario === scenario.name)) {
    rows.push([
      scenario.name,
      result.target,
      result.rps.toFixed(0),
      result.p50.toFixed(1),
      result.p99.toFixed(1),
      String(result.errors + result.non2xx),
      (result.rps / bare.rps).toFixed(2),
      result.target.startsWith('task-api') ? (result.rps / off.rps).toFixed(2) : '',
    ]);
  }
}
console.log(
  `\nHTTP benchmark: ${connections} connections, ${duration} s per scenario, Node ${process.version}, task-api NODE_OPTIONS="${TASK_API_NODE_OPTIONS}"\n`,
);
console.log(table(rows));
console.log('');
console.log(
  table(
    [
      ['target', 'ready after start ms', 'peak RSS under load MB'],
      ...summary.map((s) => [s.target, s.readyMs.toFixed(0), s.peakRssMb.toFixed(0)]),
    ],
    1,
  ),
);
const failures = all.filter((r) => r.errors + r.non2xx > 0);
mkdirSync(join(values.out, '..'), { recursive: true });
writeFileSync(values.out, `${JSON.stringify({ connections, duration, results: all, summary }, null, 2)}\n`);
if (failures.length > 0) {
  console.error(
    `bench: ${failures.length} scenario(s) had errors or non-2xx responses: the numbers above are not valid`,
  );
  process.exit(1);
}
