import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  NotFoundException,
} from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../database/database-unavailable.js';
import { allowedMethods } from '../metrics/route-template.js';
import {
  DatabaseUnavailableError,
  SimulatedFailureError,
  SmokeBusyError,
  TaskNotFoundError,
} from './domain.errors.js';
import type { ErrorBody } from './error-body.js';
import { ValidationFailedException } from './validation.js';

/** What body-parser (http-errors) attaches to the errors it passes on: a 4xx status, a type or a zlib code. */
interface BodyParserError {
  type?: unknown;
  code?: unknown;
  status: number;
}

const BODY_LIMIT_MESSAGE = 'request body exceeds the 64 KiB limit';
/** Seconds a client should wait before retrying a 503 (database outage) or a 429 (smoke test busy). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;
export const SMOKE_RETRY_AFTER_SECONDS = 5;

interface Mapped {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const candidate = error as BodyParserError | null;
  return (
    typeof candidate?.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 500 &&
    (typeof candidate.type === 'string' ||
      (typeof candidate.code === 'string' && candidate.code.startsWith('Z_')))
  );
}

/**
 * The one place that maps errors to HTTP: domain errors and client mistakes to 4xx with a message
 * naming the problem, a database outage to 503 with Retry-After; anything else to a 500 whose body
 * says nothing of the internals (the stack goes to the log and the span instead).
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, headers } = this.map(exception, host.switchToHttp().getRequest<Request>());
    if (status >= 500) {
      const span = trace.getActiveSpan();
      if (exception instanceof Error) span?.recordException(exception);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: body.error });
      if (status === 503) this.logger.warn({ err: exception }, 'database unavailable: answered 503');
      else if (!(exception instanceof SimulatedFailureError))
        this.logger.error({ err: exception }, 'unhandled error');
    }
    if (response.headersSent) return;
    if (headers) response.set(headers);
    response.status(status).json(body);
  }

  private map(exception: unknown, request: Request): Mapped {
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
    if (isBodyParserError(exception)) return this.mapBodyParser(exception);
    if (exception instanceof NotFoundException && request.route === undefined) {
      // No route matched: a path that exists under other methods answers 405 with them.
      const allowed = allowedMethods(request);
      if (allowed.length > 0)
        return {
          status: HttpStatus.METHOD_NOT_ALLOWED,
          body: { error: `${request.method} is not allowed on ${request.path}: use ${allowed.join(', ')}` },
          headers: { allow: allowed.join(', ') },
        };
    }
    if (exception instanceof HttpException) {
      const status: number = exception.getStatus();
      const cause = exception.cause;
      if (isBodyParserError(cause)) return this.mapBodyParser(cause);
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

  private mapBodyParser(error: BodyParserError): Mapped {
    if (typeof error.code === 'string' && error.code.startsWith('Z_'))
      return {
        status: HttpStatus.BAD_REQUEST,
        body: {
          error:
            'the request body does not decode as its content-encoding says: send it compressed as declared, or without content-encoding',
        },
      };
    switch (error.type) {
      case 'entity.too.large':
        return { status: HttpStatus.PAYLOAD_TOO_LARGE, body: { error: BODY_LIMIT_MESSAGE } };
      case 'entity.parse.failed':
        return {
          status: HttpStatus.BAD_REQUEST,
          body: { error: 'malformed JSON body: send a valid JSON object' },
        };
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return {
          status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          body: { error: 'unsupported body encoding: send UTF-8 JSON' },
        };
      default:
        return { status: error.status, body: { error: 'unreadable request body' } };
    }
  }
}
