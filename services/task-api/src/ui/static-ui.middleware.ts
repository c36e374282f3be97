import type { NextFunction, Request, Response } from 'express';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { UiConfig } from '../config/app-config.js';
import { markStaticRequest } from '../metrics/route-template.js';

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
 * Serves the built UI at `/` for `npm start` (in a deployment nginx serves it): the files listed
 * once at start (so nothing outside UI_DIR can be reached), `/config.json`, and index.html for
 * other page paths. API, metrics and health paths pass through untouched. Answered requests are
 * labelled `static` in the HTTP metrics.
 */
export function staticUiMiddleware(ui: UiConfig) {
  const files = listFiles(ui.dir);
  const config = JSON.stringify(uiRuntimeConfig(ui));
  return (request: Request, response: Response, next: NextFunction): void => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || SERVICE_PATHS.test(request.path)) {
      next();
      return;
    }
    markStaticRequest(request);
    if (request.path === '/config.json') {
      response.set('cache-control', 'no-cache').type('application/json').send(config);
      return;
    }
    let file = files.has(request.path) ? request.path : null;
    // A page path (no extension) gets the page; a missing asset stays a 404.
    if (file === null && !/\.[^/]*$/.test(request.path)) file = '/index.html';
    if (file === null) {
      next();
      return;
    }
    const immutable = HASHED_ASSETS.test(file);
    response.sendFile(
      file.slice(1),
      {
        root: ui.dir,
        dotfiles: 'deny',
        etag: true,
        lastModified: true,
        cacheControl: false,
        headers: {
          'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
          'x-content-type-options': 'nosniff',
        },
      },
      (error?: Error) => {
        if (error) next(error);
      },
    );
  };
}
