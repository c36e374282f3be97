import type { Request } from 'express';

/** The label value shared by every request that matched no route (keeps `endpoint` bounded). */
export const UNMATCHED_ROUTE = 'unmatched';

/** The label value shared by the UI's static files and its index fallback (see ui/static-ui.middleware.ts). */
export const STATIC_ROUTE = 'static';

const staticRequests = new WeakSet<Request>();

/** Marks a request answered by the static UI, so that its `endpoint` label is {@link STATIC_ROUTE}. */
export function markStaticRequest(request: Request): void {
  staticRequests.add(request);
}

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  match(path: string): boolean;
}

/**
 * The route template of a request (`/api/tasks/:id`), never its raw URL. Express records the
 * matched route on the request; requests that failed before routing (malformed JSON, body too
 * large) are matched against the router's table so they keep their route's label.
 */
export function routeTemplate(request: Request): string {
  if (staticRequests.has(request)) return STATIC_ROUTE;
  const matched = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof matched === 'string') return matched;
  const stack = routerStack(request);
  const method = request.method.toLowerCase();
  const path = request.path;
  for (const layer of stack) {
    if (layer.route?.methods[method] && layer.match(path)) return layer.route.path;
  }
  return UNMATCHED_ROUTE;
}

function routerStack(request: Request): RouterLayer[] {
  return (request.app as unknown as { router?: { stack?: RouterLayer[] } }).router?.stack ?? [];
}

/**
 * The methods the routes of a request's path answer (`GET`, `HEAD` with it, `POST`...), upper
 * case; empty when no route has this path. What a 405's `Allow` header lists.
 */
export function allowedMethods(request: Request): string[] {
  const methods = new Set<string>();
  for (const layer of routerStack(request)) {
    if (!layer.route || !layer.match(request.path)) continue;
    for (const [method, enabled] of Object.entries(layer.route.methods)) {
      if (!enabled || method === '_all') continue;
      methods.add(method.toUpperCase());
      if (method === 'get') methods.add('HEAD');
    }
  }
  return [...methods];
}
