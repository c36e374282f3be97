import send from '@fastify/send';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { UiConfig } from '../config/app-config.js';
import { markStaticRequest, requestPath } from '../common/route-table.js';

/** Paths that belong to the service itself: never answered with a file or the page. */
const SERVICE_PATHS = /^\/(api|metrics|health)(\/|$)/;

/** Vite's hashed outputs: their content never changes under a given name. */
const HASHED_ASSETS = /^\/assets\//;

/** Every file under `dir`, as URL paths (`/index.html`, `/assets/index-abc.js`). */
function listFiles(dir: string): Set<string> {
  const files = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name));
    if (path.split(sep).some((part) => part.startsWith('.'))) continue;
    files.add(`/${path.split(sep).join('/')}`);
  }
  return files;
}

/** What the page reads at start: no OTLP path (the service does not forward browser spans). */
export function uiRuntimeConfig(ui: UiConfig): { otlpTracesPath: null; grafanaUrl: string | null } {
  return { otlpTracesPath: null, grafanaUrl: ui.grafanaUrl };
}

/**
 * Serves the built UI at `/` for `npm start` (in a deployment nginx serves it), from a Fastify
 * `onRequest` hook, before the body is parsed and the route's handler runs: the files listed once at start (so nothing outside
 * UI_DIR can be reached), `/config.json`, and index.html for other page paths. API, metrics and
 * health paths pass through untouched. Answered requests are labelled `static` in the HTTP metrics.
 */
export function registerStaticUi(fastify: FastifyInstance, ui: UiConfig, logger: Logger): void {
  const files = listFiles(ui.dir);
  const config = JSON.stringify(uiRuntimeConfig(ui));
  fastify.addHook('onRequest', async (request, reply) => {
    // An answered request returns the reply, which ends its lifecycle; the others go on to their route.
    const path = requestPath(request);
    if ((request.method !== 'GET' && request.method !== 'HEAD') || SERVICE_PATHS.test(path)) return;
    let file = files.has(path) ? path : null;
    // A page path (no extension) gets the page; a missing asset stays a 404.
    if (file === null && path !== '/config.json' && !/\.[^/]*$/.test(path)) file = '/index.html';
    if (file === null && path !== '/config.json') return;
    markStaticRequest(request);
    if (file === null) return reply.header('cache-control', 'no-cache').type('application/json').send(config);
    const result = await send(request.raw, file, {
      root: ui.dir,
      dotfiles: 'deny',
      etag: true,
      lastModified: true,
      cacheControl: false,
    });
    // A failure (the file gone since start, a bad range) is answered as send() says, never cached.
    if (result.type === 'error' && result.statusCode >= 500)
      logger.error({ err: result.metadata.error, file }, 'serving a UI file failed');
    const caching =
      result.type === 'error'
        ? 'no-store'
        : HASHED_ASSETS.test(file)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache';
    return reply
      .code(result.statusCode)
      .headers(result.headers)
      .header('cache-control', caching)
      .header('x-content-type-options', 'nosniff')
      .send(result.stream);
  });
}
