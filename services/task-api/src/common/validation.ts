import {
  type ArgumentMetadata,
  BadRequestException,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import * as classTransformer from 'class-transformer';
import * as classValidator from 'class-validator';
import type { ErrorBody, FieldProblem } from './error-body.js';

/** A 400 whose body names every bad field. */
export class ValidationFailedException extends BadRequestException {
  constructor(readonly body: ErrorBody) {
    super(body.error);
  }
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** The first problem of each field, as one sentence: "title must be shorter than ...; completed must be a boolean". */
export function validationFailure(details: FieldProblem[]): ValidationFailedException {
  const summary = details.map((detail) => detail.problems[0] ?? `${detail.field} is invalid`).join('; ');
  return new ValidationFailedException({ error: summary, details });
}

/**
 * Nest's pipe, except that path parameters stay text: Nest would convert `1e3` to 1000 for a
 * `number` parameter before its own pipe (TaskIdPipe) sees it.
 */
class ApiValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

/** The global pipe: strips nothing silently (unknown fields are errors) and converts types. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailure(flatten(errors)),
    // Handed over rather than loaded by Nest with import(): the same modules the DTOs' decorators
    // use, loaded once at start, also in the bundle (where a dynamic import of a CommonJS package
    // yields only its default export).
    validatorPackage: classValidator,
    transformerPackage: classTransformer,
  });
}
