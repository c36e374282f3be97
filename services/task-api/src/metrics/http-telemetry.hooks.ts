import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { requestPath, routeTemplate } from '../common/route-table.js';
import { observeWithExemplar } from './exemplar.js';
import type { ServiceMetrics } from './metrics.registry.js';

const QUIET_PATHS = new Set(['/metrics', '/health', '/health/live', '/health/ready']);

/**
 * Records one answered request, `seconds` after it arrived (by default the reply's own clock,
 * which Fastify starts once it has found the route). Never throws: a failure is logged.
 */
export type ResponseRecorder = (request: FastifyRequest, reply: FastifyReply, seconds?: number) => void;

/**
 * One place for the per-request telemetry. Once a response has been sent it resolves the route
 * template, names the SERVER span after it (`GET /api/tasks/:id`), records the HTTP metrics with a
 * trace-id exemplar, and writes the access log line (probes and scrapes at debug level). It runs
 * where the response's `finish` listeners run: in the SERVER span's context, which the HTTP
 * instrumentation binds to the response.
 */
export function responseRecorder(metrics: ServiceMetrics, logger: Logger): ResponseRecorder {
  const record = (request: FastifyRequest, reply: FastifyReply, seconds: number): void => {
    const endpoint = routeTemplate(request);
    const status = reply.statusCode;
    const labels = { method: request.method, endpoint, status_code: String(status) };
    const active = context.active();
    const rpc = getRPCMetadata(active);
    if (rpc?.type === RPCType.HTTP) rpc.route = endpoint;

    metrics.httpRequests.inc(labels);
    if (status >= 400) metrics.httpErrors.inc(labels);
    observeWithExemplar(metrics.httpDuration, labels, seconds, trace.getSpan(active));

    const path = requestPath(request);
    const line = {
      method: request.method,
      route: endpoint,
      path,
      status,
      duration_ms: Math.round(seconds * 1e6) / 1e3,
    };
    if (QUIET_PATHS.has(path) && status < 400) logger.debug(line, 'request');
    else logger.info(line, 'request');
  };
  return (request, reply, seconds = reply.elapsedTime / 1e3) => {
    try {
      record(request, reply, seconds);
    } catch (error) {
      logger.error({ err: error }, 'recording the request telemetry failed');
    }
  };
}

/** Records every request Fastify answers through its lifecycle (an `onResponse` hook). */
export function registerHttpTelemetry(fastify: FastifyInstance, record: ResponseRecorder): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    record(request, reply);
    done();
  });
}
