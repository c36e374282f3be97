import { Injectable, type PipeTransform } from '@nestjs/common';
import { validationFailure } from './validation.js';

/** A task id path parameter: a non-negative integer, else 400 naming `id`. */
@Injectable()
export class TaskIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const id = Number(value);
    if (!/^\d{1,15}$/.test(value) || !Number.isSafeInteger(id)) {
      throw validationFailure([{ field: 'id', problems: ['id must be a non-negative integer'] }]);
    }
    return id;
  }
}
