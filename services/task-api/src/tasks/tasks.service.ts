import { Inject, Injectable } from '@nestjs/common';
import { type Clock, CLOCK } from '../common/clock.js';
import { TaskNotFoundError } from '../common/domain.errors.js';
import { validationFailure } from '../common/validation.js';
import type { CreateTaskDto } from './dto/create-task.dto.js';
import type { ListTasksQuery } from './dto/list-tasks.query.js';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { TASK_STORE, type TaskStore } from './store/task.store.js';
import { CURSOR_MESSAGE, decodeTaskCursor, encodeTaskCursor } from './task-cursor.js';
import type { TaskResponse } from './task.record.js';

/** Ids beyond a 32-bit integer column cannot exist: answer 404 without asking the database. */
const MAX_STORED_ID = 2_147_483_647;

export interface TaskList {
  tasks: TaskResponse[];
  count: number;
  limit: number;
  offset: number;
  /** Pass as `?after=` for the next page; null when this page is the last. */
  next_cursor: string | null;
}

@Injectable()
export class TasksService {
  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(query: ListTasksQuery): Promise<TaskList> {
    const after = query.after === undefined ? undefined : decodeTaskCursor(query.after);
    if (query.after !== undefined && after === undefined) {
      throw validationFailure([{ field: 'after', problems: [CURSOR_MESSAGE] }]);
    }
    const tasks = await this.store.list({
      limit: query.limit,
      offset: query.offset,
      ...(query.completed === undefined ? {} : { completed: query.completed }),
      ...(after === undefined ? {} : { after }),
    });
    const last = tasks.length === query.limit ? tasks[tasks.length - 1] : undefined;
    return {
      tasks,
      count: tasks.length,
      limit: query.limit,
      offset: query.offset,
      next_cursor: last === undefined ? null : encodeTaskCursor(last),
    };
  }

  async get(id: number): Promise<TaskResponse> {
    const task = await this.store.get(this.storable(id));
    if (!task) throw new TaskNotFoundError(id);
    return task;
  }

  create(input: CreateTaskDto): Promise<TaskResponse> {
    return this.store.create({
      title: input.title,
      description: input.description ?? '',
      completed: input.completed ?? false,
      createdAt: this.clock.now(),
    });
  }

  async update(id: number, input: UpdateTaskDto): Promise<TaskResponse> {
    if (input.title === undefined && input.description === undefined && input.completed === undefined) {
      throw validationFailure([
        { field: 'body', problems: ['body must contain at least one of title, description, completed'] },
      ]);
    }
    const task = await this.store.update(this.storable(id), {
      ...(input.title === undefined ? {} : { title: input.title }),
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.completed === undefined ? {} : { completed: input.completed }),
      updatedAt: this.clock.now(),
    });
    if (!task) throw new TaskNotFoundError(id);
    return task;
  }

  async remove(id: number): Promise<{ message: string }> {
    if (!(await this.store.remove(this.storable(id)))) throw new TaskNotFoundError(id);
    return { message: `task ${id} deleted` };
  }

  private storable(id: number): number {
    if (id > MAX_STORED_ID) throw new TaskNotFoundError(id);
    return id;
  }
}
