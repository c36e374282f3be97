import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { SimulatedFailureError, TaskNotFoundError } from './domain.errors.js';
import type { ErrorBody } from './error-body.js';
import { ValidationFailedException } from './validation.js';

interface BodyParserError {
  type: string;
  status: number;
}

const BODY_LIMIT_MESSAGE = 'request body exceeds the 64 KiB limit';

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof (error as BodyParserError | null)?.type === 'string' &&
    typeof (error as BodyParserError).status === 'number'
  );
}

/**
 * The one place that maps errors to HTTP: domain errors and client mistakes to 4xx with a message
 * naming the problem; anything else to a 500 whose body says nothing of the internals (the stack
 * goes to the log and the span instead).
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.map(exception);
    if (status >= 500) {
      const span = trace.getActiveSpan();
      if (exception instanceof Error) span?.recordException(exception);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: body.error });
      if (!(exception instanceof SimulatedFailureError))
        this.logger.error({ err: exception }, 'unhandled error');
    }
    if (response.headersSent) return;
    response.status(status).json(body);
  }

  private map(exception: unknown): [number, ErrorBody] {
    if (exception instanceof ValidationFailedException) return [HttpStatus.BAD_REQUEST, exception.body];
    if (exception instanceof TaskNotFoundError) return [HttpStatus.NOT_FOUND, { error: exception.message }];
    if (exception instanceof SimulatedFailureError)
      return [HttpStatus.INTERNAL_SERVER_ERROR, { error: exception.message }];
    if (isBodyParserError(exception)) return this.mapBodyParser(exception);
    if (exception instanceof HttpException) {
      const status: number = exception.getStatus();
      const cause = exception.cause;
      if (isBodyParserError(cause)) return this.mapBodyParser(cause);
      if (status === 413) return [status, { error: BODY_LIMIT_MESSAGE }];
      const payload = exception.getResponse();
      const message =
        typeof payload === 'string'
          ? payload
          : typeof (payload as { message?: unknown }).message === 'string'
            ? (payload as { message: string }).message
            : exception.message;
      return [status, { error: message }];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, { error: 'internal error' }];
  }

  private mapBodyParser(error: BodyParserError): [number, ErrorBody] {
    switch (error.type) {
      case 'entity.too.large':
        return [HttpStatus.PAYLOAD_TOO_LARGE, { error: BODY_LIMIT_MESSAGE }];
      case 'entity.parse.failed':
        return [HttpStatus.BAD_REQUEST, { error: 'malformed JSON body: send a valid JSON object' }];
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return [HttpStatus.UNSUPPORTED_MEDIA_TYPE, { error: 'unsupported body encoding: send UTF-8 JSON' }];
      default:
        return [
          error.status >= 400 && error.status < 500 ? error.status : 400,
          { error: 'unreadable request body' },
        ];
    }
  }
}
