// /metrics, /healthz and /readyz on one small HTTP server.
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Registry } from 'prom-client';

export interface ProbesServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  /** Live: the event loop answers and the operator has not failed. */
  readonly healthy: () => boolean;
  /** Ready: a standby that can reach the API server, or a leader whose caches are filled. */
  readonly ready: () => boolean;
}

export interface ProbesServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startProbesServer(options: ProbesServerOptions): Promise<ProbesServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    switch (path) {
      case '/healthz':
        return options.healthy() ? reply(200, 'ok\n') : reply(500, 'unhealthy\n');
      case '/readyz':
        return options.ready() ? reply(200, 'ok\n') : reply(503, 'not ready\n');
      case '/metrics':
        options.registry
          .metrics()
          .then((text) => reply(200, text, options.registry.contentType))
          .catch((error: unknown) => reply(500, `${(error as Error).message}\n`));
        return;
      default:
        return reply(404, 'not found: try /metrics, /healthz or /readyz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
