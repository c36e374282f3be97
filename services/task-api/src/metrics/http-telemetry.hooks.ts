import { type Context, context, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { observeWithExemplar } from './exemplar.js';
import type { ServiceMetrics } from './metrics.registry.js';
import { requestPath, routeTemplate } from './route-template.js';

const QUIET_PATHS = new Set(['/metrics', '/health', '/health/live', '/health/ready']);

/** When a request started and the context it arrived in (the HTTP SERVER span's). */
interface RequestStart {
  readonly started: bigint;
  readonly context: Context;
}

const starts = new WeakMap<FastifyRequest, RequestStart>();

/**
 * One place for the per-request telemetry, as two Fastify hooks that every request passes, routed
 * or not, rejected by the body parser or not. When the response has been sent it resolves the route
 * template, names the SERVER span after it (`GET /api/tasks/:id`), records the HTTP metrics with a
 * trace-id exemplar, and writes the access log line (probes and scrapes at debug level).
 */
export function registerHttpTelemetry(
  fastify: FastifyInstance,
  metrics: ServiceMetrics,
  logger: Logger,
): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    starts.set(request, { started: process.hrtime.bigint(), context: context.active() });
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const start = starts.get(request);
    done();
    if (start === undefined) return;
    const seconds = Number(process.hrtime.bigint() - start.started) / 1e9;
    const endpoint = routeTemplate(request);
    const status = reply.statusCode;
    const labels = { method: request.method, endpoint, status_code: String(status) };
    const rpc = getRPCMetadata(start.context);
    if (rpc?.type === RPCType.HTTP) rpc.route = endpoint;
    const span = trace.getSpan(start.context);

    metrics.httpRequests.inc(labels);
    if (status >= 400) metrics.httpErrors.inc(labels);
    observeWithExemplar(metrics.httpDuration, labels, seconds, span);

    const path = requestPath(request);
    const line = {
      method: request.method,
      route: endpoint,
      path,
      status,
      duration_ms: Math.round(seconds * 1e6) / 1e3,
    };
    context.with(start.context, () => {
      if (QUIET_PATHS.has(path) && status < 400) logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
  });
}
