import { ApiProperty } from '@nestjs/swagger';
import { MAX_TASK_ID } from '../../common/task-id.pipe.js';
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from '../task.schema.js';
import { MAX_LIMIT, MAX_OFFSET } from './list-tasks.query.js';

/** A task as the API returns it (TaskResponse), in the OpenAPI document. */
export class TaskDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_TASK_ID })
  id!: number;

  @ApiProperty({ minLength: 1, maxLength: TITLE_MAX_LENGTH })
  title!: string;

  @ApiProperty({ maxLength: DESCRIPTION_MAX_LENGTH })
  description!: string;

  @ApiProperty()
  completed!: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-11-30T11:55:19.240Z' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-30T11:55:19.240Z' })
  updated_at!: string;
}

/** A page of tasks (TaskList), in the OpenAPI document. */
export class TaskListDto {
  @ApiProperty({ type: [TaskDto] })
  tasks!: TaskDto[];

  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_LIMIT })
  count!: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_LIMIT })
  limit!: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_OFFSET })
  offset!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'pass as `after` for the next page; null on the last',
  })
  next_cursor!: string | null;
}

/** The answer to a delete. */
export class DeletedDto {
  @ApiProperty({ example: 'task 42 deleted' })
  message!: string;
}
