import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ResponseRecorder } from '../metrics/http-telemetry.hooks.js';
import type { ErrorBody } from './error-body.js';
import { MAX_PARAM_LENGTH } from './route-table.js';

/** What Fastify's router rejects before there is a route, and so before any hook or Nest filter. */
function answer(error: FastifyError): { status: number; body: ErrorBody } {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return { status: 400, body: { error: 'malformed URL: its percent-encoding does not decode as UTF-8' } };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        status: 400,
        body: { error: `a path parameter is longer than ${MAX_PARAM_LENGTH} characters` },
      };
    default:
      return { status: 400, body: { error: 'malformed request' } };
  }
}

/**
 * Fastify's `frameworkErrors`: a URL that does not decode, or a path parameter past the router's
 * limit, is answered like every other client error (a JSON body saying what is wrong) and recorded
 * like every other request (`record` once the response is sent: no hook runs for these).
 */
export function frameworkErrors(record: ResponseRecorder) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    // Fastify starts no reply clock for these: the time is taken from here.
    const started = performance.now();
    reply.raw.once('finish', () => record(request, reply, (performance.now() - started) / 1e3));
    const { status, body } = answer(error);
    void reply.code(status).send(body);
  };
}
