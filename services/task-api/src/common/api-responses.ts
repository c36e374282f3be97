import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { DATABASE_RETRY_AFTER_SECONDS, SMOKE_RETRY_AFTER_SECONDS } from './http-exception.filter.js';

/** One bad field of a 400, in the OpenAPI document. */
export class FieldProblemDto {
  @ApiProperty({ example: 'title' })
  field!: string;

  @ApiProperty({ type: [String], minItems: 1, example: ['title must be a string'] })
  problems!: string[];
}

/** Every error response body, in the OpenAPI document (see ErrorBody). */
export class ErrorBodyDto {
  @ApiProperty({ description: 'what was wrong and what to do', example: 'title must be a string' })
  error!: string;

  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'one entry per bad field (400 only)' })
  details?: FieldProblemDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'bad input: the message and `details` name each bad field; nothing changed',
  404: 'no task has this id',
  413: 'the request body exceeds 64 KiB',
  415: 'the body is not UTF-8 JSON, or its content-encoding is not gzip, deflate, br or identity',
  429: 'a database smoke test is already running (one at a time): retry after `Retry-After` seconds',
  500: 'an unexpected failure',
  503: 'the database is unavailable (stopped, frozen, out of connections): retry after `Retry-After` seconds',
};

const RETRY_AFTER: Record<number, number> = {
  429: SMOKE_RETRY_AFTER_SECONDS,
  503: DATABASE_RETRY_AFTER_SECONDS,
};

/** Documents the error statuses an operation answers, each with the error body (and `Retry-After`). */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'error',
        type: ErrorBodyDto,
        ...(RETRY_AFTER[status] === undefined
          ? {}
          : {
              headers: {
                'Retry-After': {
                  description: 'seconds to wait before retrying',
                  schema: { type: 'integer', minimum: 1, example: RETRY_AFTER[status] },
                },
              },
            }),
      }),
    ),
  );
}
