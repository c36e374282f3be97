import type { FastifyInstance, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';

/** The label value shared by every request that matched no route (keeps `endpoint` bounded). */
export const UNMATCHED_ROUTE = 'unmatched';

/** The label value shared by the UI's static files and its index fallback (see ui/static-ui.hook.ts). */
export const STATIC_ROUTE = 'static';

const staticRequests = new WeakSet<FastifyRequest>();

/** Marks a request answered by the static UI, so that its `endpoint` label is {@link STATIC_ROUTE}. */
export function markStaticRequest(request: FastifyRequest): void {
  staticRequests.add(request);
}

/** A request's path: its URL without the query string. */
export function requestPath(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}

/**
 * The route template of a request (`/api/tasks/:id`), never its raw URL. Fastify routes before it
 * parses the body, so requests it rejects there (malformed JSON, body too large) keep their route.
 */
export function routeTemplate(request: FastifyRequest): string {
  if (staticRequests.has(request)) return STATIC_ROUTE;
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/** The longest path parameter the router matches: far past any valid id, so that the id pipe
 * names a bad id (400) up to this length; a longer one is refused by framework-errors.ts. */
export const MAX_PARAM_LENGTH = 512;

/** How paths match routes, in Fastify and in {@link RouteTable} alike. */
export const ROUTER_OPTIONS = { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH } as const;

/**
 * The application's routes, in the order they were added, matched by the router Fastify uses:
 * what a 405's `Allow` header lists for a path that exists under other methods.
 */
export class RouteTable {
  private readonly router = FindMyWay(ROUTER_OPTIONS);
  private readonly methods: string[] = [];

  /** Records every route added to `fastify` from now on (call it before the routes are added). */
  static track(fastify: FastifyInstance): RouteTable {
    const table = new RouteTable();
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) table.add(method, route.url ?? route.path);
    });
    return table;
  }

  add(method: string, url: string): void {
    // HEAD is listed beside GET below (Fastify adds a HEAD route for every GET route).
    if (method === 'HEAD' || this.router.hasRoute(method as HTTPMethod, url)) return;
    this.router.on(method as HTTPMethod, url, () => undefined);
    if (!this.methods.includes(method)) this.methods.push(method);
  }

  /** The methods the routes of `path` answer (`GET`, `HEAD` with it, `POST`...); empty when none has it. */
  allowedMethods(path: string): string[] {
    const allowed: string[] = [];
    for (const method of this.methods) {
      if (this.router.find(method as HTTPMethod, path) === null) continue;
      allowed.push(method);
      if (method === 'GET') allowed.push('HEAD');
    }
    return allowed;
  }
}
