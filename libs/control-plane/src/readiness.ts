import { request } from 'node:https';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ManagedProcess } from './managed-process.js';

/** TLS material for {@link httpsGet}. */
export interface HttpsClientTls {
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Accept any serving certificate (only for loopback health checks of self-signed servers). */
  readonly insecure?: boolean;
}

/** GETs `url` and resolves with the status code and body; rejects on connection errors. */
export function httpsGet(
  url: string,
  tls: HttpsClientTls,
  timeoutMs = 2_000,
): Promise<{ status: number; body: string }> {
  return httpsRequest('GET', url, tls, undefined, timeoutMs);
}

/** Sends one HTTPS request (a JSON body when given) and resolves with the status code and body. */
export function httpsRequest(
  method: string,
  url: string,
  tls: HttpsClientTls,
  json?: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        rejectUnauthorized: !tls.insecure,
        timeout: timeoutMs,
        agent: false,
        headers: json
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }
          : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${method} ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(json);
  });
}

/** Loads PEM files for {@link httpsGet}. */
export async function loadTls(files: { ca?: string; cert?: string; key?: string }): Promise<HttpsClientTls> {
  const load = (file: string | undefined) => (file ? readFile(file) : Promise.resolve(undefined));
  const [ca, cert, key] = await Promise.all([load(files.ca), load(files.cert), load(files.key)]);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/** One health endpoint of a component being started. */
export interface HealthCheck {
  readonly what: string;
  readonly url: string;
  readonly tls: HttpsClientTls;
  /** Whether a 200 answer's body means healthy. Default: any 200. */
  readonly accept?: (body: string) => boolean;
}

/** A node's JSON: Ready and without taints, so pods can be scheduled on it. */
export function isSchedulableReadyNode(body: string): boolean {
  const node = JSON.parse(body) as {
    spec?: { taints?: unknown[] };
    status?: { conditions?: { type: string; status: string }[] };
  };
  const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return ready && (node.spec?.taints ?? []).length === 0;
}

/**
 * Polls `check` every 100 ms until it passes; fails at once, with its log's tail, when a component
 * exits, and at `deadline` with every component's log tail.
 */
export async function waitUntilHealthy(
  processes: readonly ManagedProcess[],
  deadline: number,
  check: HealthCheck,
): Promise<void> {
  let lastProblem = 'no answer yet';
  for (;;) {
    const dead = processes.find((p) => p.hasExited());
    if (dead) {
      const exit = await dead.exited;
      throw new Error(
        `${dead.name} exited during start-up (code ${exit.code}, signal ${exit.signal}); ${dead.logFile} ends with:\n${dead.logTail()}`,
      );
    }
    try {
      const { status, body } = await httpsGet(check.url, check.tls);
      if (status === 200 && (check.accept?.(body) ?? true)) return;
      const failed = body.split('\n').filter((line) => line.includes('failed'));
      lastProblem =
        status === 200
          ? `${check.what}: not yet`
          : `${check.what} answered ${status}: ${failed.join('; ') || body.slice(0, 200)}`;
    } catch (error) {
      lastProblem = `${check.what}: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() > deadline) {
      const tails = processes.map((p) => `--- ${p.name} (${p.logFile}):\n${p.logTail(10)}`).join('\n');
      throw new Error(`control plane not ready in time (${lastProblem})\n${tails}`);
    }
    await sleep(100);
  }
}
