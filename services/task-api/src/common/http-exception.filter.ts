import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  NotFoundException,
} from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../database/database-unavailable.js';
import { requestPath, type RouteTable } from './route-table.js';
import {
  DatabaseUnavailableError,
  SimulatedFailureError,
  SmokeBusyError,
  TaskNotFoundError,
} from './domain.errors.js';
import type { ErrorBody } from './error-body.js';
import { BODY_LIMIT_MESSAGE, RequestBodyError } from './json-body.parser.js';
import { ValidationFailedException } from './validation.js';

/** What Fastify attaches to the errors of its request handling (`FST_ERR_CTP_BODY_TOO_LARGE`, …). */
interface FastifyError {
  code: string;
  statusCode: number;
}

/** Seconds a client should wait before retrying a 503 (database outage) or a 429 (smoke test busy). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;
export const SMOKE_RETRY_AFTER_SECONDS = 5;

interface Mapped {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A stream error Fastify met reading the body (the client went away mid-upload): it sets a 4xx. */
function isUnreadableBody(error: unknown): boolean {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return !(error instanceof HttpException) && typeof status === 'number' && status >= 400 && status < 500;
}

/** Fastify's 4xx error behind `error` (Nest hands it over wrapped in an HttpException), if any. */
function fastifyClientError(error: unknown): FastifyError | undefined {
  const candidate = (error instanceof HttpException ? error.cause : error) as Partial<FastifyError> | null;
  return typeof candidate?.code === 'string' &&
    candidate.code.startsWith('FST_ERR_') &&
    typeof candidate.statusCode === 'number' &&
    candidate.statusCode >= 400 &&
    candidate.statusCode < 500
    ? (candidate as FastifyError)
    : undefined;
}

/**
 * The one place that maps errors to HTTP: domain errors and client mistakes to 4xx with a message
 * naming the problem, a database outage to 503 with Retry-After; anything else to a 500 whose body
 * says nothing of the internals (the stack goes to the log and the span instead).
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly routes: RouteTable,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = this.map(exception, host.switchToHttp().getRequest<FastifyRequest>());
    if (status >= 500) {
      const span = trace.getActiveSpan();
      if (exception instanceof Error) span?.recordException(exception);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: body.error });
      if (status === 503) this.logger.warn({ err: exception }, 'database unavailable: answered 503');
      else if (!(exception instanceof SimulatedFailureError))
        this.logger.error({ err: exception }, 'unhandled error');
    }
    if (reply.sent || reply.raw.headersSent) return;
    if (headers) reply.headers(headers);
    void reply.status(status).send(body);
  }

  private map(exception: unknown, request: FastifyRequest): Mapped {
    if (exception instanceof ValidationFailedException)
      return { status: HttpStatus.BAD_REQUEST, body: exception.body };
    if (exception instanceof TaskNotFoundError)
      return { status: HttpStatus.NOT_FOUND, body: { error: exception.message } };
    if (exception instanceof SimulatedFailureError)
      return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { error: exception.message } };
    if (exception instanceof SmokeBusyError)
      return {
        status: HttpStatus.TOO_MANY_REQUESTS,
        body: { error: exception.message },
        headers: { 'retry-after': String(SMOKE_RETRY_AFTER_SECONDS) },
      };
    if (exception instanceof DatabaseUnavailableError || isDatabaseUnavailable(exception))
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: { error: new DatabaseUnavailableError(undefined).message },
        headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
      };
    const rejected = fastifyClientError(exception);
    const unmatched = request.is404;
    if (unmatched && (exception instanceof NotFoundException || rejected)) {
      // No route matched, whatever else is wrong with the request (Fastify rejects a QUERY
      // without a body type before its not-found handler): a path that exists under other
      // methods answers 405 with them, any other path 404.
      const path = requestPath(request);
      const allowed = this.routes.allowedMethods(path);
      if (allowed.length > 0)
        return {
          status: HttpStatus.METHOD_NOT_ALLOWED,
          body: { error: `${request.method} is not allowed on ${path}: use ${allowed.join(', ')}` },
          headers: { allow: allowed.join(', ') },
        };
      return { status: HttpStatus.NOT_FOUND, body: { error: `Cannot ${request.method} ${path}` } };
    }
    if (exception instanceof RequestBodyError)
      return { status: exception.status, body: { error: exception.message } };
    if (rejected) return this.mapFastify(rejected);
    if (isUnreadableBody(exception))
      return { status: HttpStatus.BAD_REQUEST, body: { error: 'unreadable request body' } };
    if (exception instanceof HttpException) {
      const status: number = exception.getStatus();
      if (status === 413) return { status, body: { error: BODY_LIMIT_MESSAGE } };
      const payload = exception.getResponse();
      const message =
        typeof payload === 'string'
          ? payload
          : typeof (payload as { message?: unknown }).message === 'string'
            ? (payload as { message: string }).message
            : exception.message;
      return { status, body: { error: message } };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { error: 'internal error' } };
  }

  /** Fastify's own rejections of a request, before the service's parser or handler sees it. */
  private mapFastify(error: FastifyError): Mapped {
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return { status: HttpStatus.PAYLOAD_TOO_LARGE, body: { error: BODY_LIMIT_MESSAGE } };
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return {
          status: HttpStatus.BAD_REQUEST,
          body: { error: 'the request body is not as long as its content-length says' },
        };
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return {
          status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          body: { error: 'unsupported content type: send application/json' },
        };
      default:
        return { status: error.statusCode, body: { error: 'unreadable request' } };
    }
  }
}
