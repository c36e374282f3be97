import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { IntegerQuery } from '../../common/integer-query.js';
import { CURSOR_PATTERN, IsTaskCursor } from '../task-cursor.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** The deepest offset: the range of the id column (deeper pages are empty); `after` pages in O(limit). */
export const MAX_OFFSET = 2_147_483_647;

const booleanText = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListTasksQuery {
  @ApiPropertyOptional({ type: Boolean, description: 'only completed (true) or pending (false) tasks' })
  @IsOptional()
  @Transform(booleanText)
  @IsBoolean({ message: 'completed must be true or false' })
  completed?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @IntegerQuery('limit', 1, MAX_LIMIT)
  limit: number = DEFAULT_LIMIT;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 })
  @IsOptional()
  @IntegerQuery('offset', 0, MAX_OFFSET)
  offset: number = 0;

  @ApiPropertyOptional({
    description:
      'keyset pagination: the next_cursor of the previous page; the page then costs O(limit) however deep it is (offset, if given, skips rows after the cursor)',
    example: 'MjAyNi0xMS0zMFQxMTo1NToxOS4yNDBaXzQy',
    pattern: CURSOR_PATTERN,
  })
  @IsOptional()
  @IsTaskCursor()
  after?: string;
}
