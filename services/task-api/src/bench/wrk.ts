// Load from wrk (https://github.com/wg/wrk; Debian's `wrk` package): a C load generator whose two
// threads cost the machine far less than a JavaScript client would, so that the targets, not the
// client, set the numbers. A Lua `done` hook prints the summary as one JSON line.
//
// A Lua `delay` hook holds each thread's first requests, one per connection, for OPEN_MS (wrk opens
// a thread's connections together, well within OPEN_MS on loopback), so that the target, idle at
// the start of a round, accepts every connection before the load starts, and the numbers are those
// of established connections. Without it, the first requests wait in the listen queue: Node 24
// here (libuv 1.52) accepted one connection per event-loop turn, and a turn of a busy server serves
// every connection already open, so the 50th connection was accepted about 0.6 s after the first.
// wrk's coordinated-omission correction then adds a sample per expected interval below each of
// those waits, which put about 2 % of the samples of an 8 s round at 100-600 ms. Measured on a
// node:http + SQLite server spending 350 µs per request at 50 connections: p99 212 ms in a 5 s
// round and 52 ms in a 20 s one, while the server saw at most 54 ms between answering a connection
// and its next request; with the connections opened first, p99 42 ms in a 5 s round.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface WrkResult {
  requests: number;
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  /** Connect, read and write errors and requests that got no answer within wrk's 2 s timeout. */
  errors: number;
  timeouts: number;
  /** Answers with a status other than 2xx or 3xx. */
  non2xx: number;
}

const MARK = 'WRK_JSON ';
/** How long each connection's first request is held, for every connection to be accepted first. */
const OPEN_MS = 300;

const DONE_HOOK = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

/** Throws with what to do when wrk is not installed. */
export function assertWrkInstalled(): void {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(
      'wrk is not installed: install it (Debian/Ubuntu: apt-get install wrk) and run the bench again',
    );
  }
}

function luaString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Holds the first request of each of the thread's connections for {@link OPEN_MS}, then none. */
function openHook(connectionsPerThread: number): string {
  return `
local opened = 0
delay = function()
  if opened < ${connectionsPerThread} then
    opened = opened + 1
    return ${OPEN_MS}
  end
  return 0
end
`;
}

function script(request: WrkRequest, connectionsPerThread: number): string {
  const lines = [`wrk.method = ${luaString(request.method ?? 'GET')}`];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  }
  if (request.body !== undefined) lines.push(`wrk.body = ${luaString(request.body)}`);
  return `${lines.join('\n')}\n${openHook(connectionsPerThread)}${DONE_HOOK}`;
}

/**
 * Runs wrk with 2 threads for `seconds` at `connections` and parses its summary. Requests per
 * second count the time after the connections were opened ({@link OPEN_MS} less than `seconds`).
 */
export async function wrk(request: WrkRequest, connections: number, seconds: number): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'obslab-wrk-'));
  const file = join(dir, 'request.lua');
  const threads = Math.min(2, connections);
  // wrk gives each thread connections / threads of them, rounded down.
  writeFileSync(file, script(request, Math.floor(connections / threads)));
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        'wrk',
        ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '-s', file, request.url],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      // 'close', not 'exit': the summary is the last thing wrk prints, and stdout may still be open at exit.
      child.on('close', (code) =>
        code === 0
          ? resolve(stdout)
          : reject(new Error(`wrk exited with ${code}: ${stderr.trim() || stdout.trim()}`)),
      );
    });
    const line = output.split('\n').find((text) => text.startsWith(MARK));
    if (!line) throw new Error(`wrk printed no summary:\n${output}`);
    const summary = JSON.parse(line.slice(MARK.length)) as Record<string, number>;
    const num = (key: string) => summary[key] ?? 0;
    return {
      requests: num('requests'),
      rps: num('requests') / ((num('duration_us') - OPEN_MS * 1000) / 1e6),
      p50: num('p50_us') / 1000,
      p99: num('p99_us') / 1000,
      errors: num('connect') + num('read') + num('write'),
      timeouts: num('timeout'),
      non2xx: num('status'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
