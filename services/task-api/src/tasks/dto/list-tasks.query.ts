import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsTaskCursor } from '../task-cursor.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const booleanText = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListTasksQuery {
  @ApiPropertyOptional({ description: 'only completed (true) or pending (false) tasks' })
  @IsOptional()
  @Transform(booleanText)
  @IsBoolean({ message: 'completed must be true or false' })
  completed?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(MAX_LIMIT, { message: `limit must be at most ${MAX_LIMIT}` })
  limit: number = DEFAULT_LIMIT;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be an integer' })
  @Min(0, { message: 'offset must be at least 0' })
  offset: number = 0;

  @ApiPropertyOptional({
    description:
      'keyset pagination: the next_cursor of the previous page; the page then costs O(limit) however deep it is (offset, if given, skips rows after the cursor)',
    example: 'MjAyNi0xMS0zMFQxMTo1NToxOS4yNDBaXzQy',
  })
  @IsOptional()
  @IsTaskCursor()
  after?: string;
}
