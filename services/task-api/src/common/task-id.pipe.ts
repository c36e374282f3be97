import { Injectable, type PipeTransform } from '@nestjs/common';
import { validationFailure } from './validation.js';

/** The largest id the path accepts (more digits cannot name a task: see TasksService). */
export const MAX_TASK_ID = 999_999_999_999_999;
/** Canonical decimal digits only: no sign, no leading zero, at most 15 digits. */
const ID_TEXT = /^(0|[1-9]\d{0,14})$/;

/**
 * A task id path parameter: a non-negative integer in canonical decimal, else 400 naming `id`.
 * `1e3`, `0x10`, `1.0`, ` 1` and `01` are not ids (the global pipe leaves path text as it is).
 */
@Injectable()
export class TaskIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (typeof value !== 'string' || !ID_TEXT.test(value)) {
      throw validationFailure([{ field: 'id', problems: ['id must be a non-negative integer'] }]);
    }
    return Number(value);
  }
}
