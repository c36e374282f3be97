import { request } from 'node:https';
import { readFile } from 'node:fs/promises';

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
