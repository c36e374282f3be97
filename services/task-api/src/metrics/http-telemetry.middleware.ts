import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { observeWithExemplar } from './exemplar.js';
import type { ServiceMetrics } from './metrics.registry.js';
import { routeTemplate } from './route-template.js';

const QUIET_PATHS = new Set(['/metrics', '/health', '/health/live', '/health/ready']);

/**
 * One place for the per-request telemetry: when the response finishes it resolves the route
 * template, names the SERVER span after it (`GET /api/tasks/:id`), records the HTTP metrics with a
 * trace-id exemplar, and writes the access log line (probes and scrapes at debug level).
 */
export function httpTelemetryMiddleware(metrics: ServiceMetrics, logger: Logger) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const activeContext = context.active();
    response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const endpoint = routeTemplate(request);
      const labels = { method: request.method, endpoint, status_code: String(response.statusCode) };
      const rpc = getRPCMetadata(activeContext);
      if (rpc?.type === RPCType.HTTP) rpc.route = endpoint;
      const span = trace.getSpan(activeContext);

      metrics.httpRequests.inc(labels);
      if (response.statusCode >= 400) metrics.httpErrors.inc(labels);
      observeWithExemplar(metrics.httpDuration, labels, seconds, span);

      const line = {
        method: request.method,
        route: endpoint,
        path: request.path,
        status: response.statusCode,
        duration_ms: Math.round(seconds * 1e6) / 1e3,
      };
      context.with(activeContext, () => {
        if (QUIET_PATHS.has(request.path) && response.statusCode < 400) logger.debug(line, 'request');
        else logger.info(line, 'request');
      });
    });
    next();
  };
}
