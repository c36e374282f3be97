import { Inject, Injectable } from '@nestjs/common';
import { type Clock, CLOCK } from '../common/clock.js';
import { TaskNotFoundError } from '../common/domain.errors.js';
import { validationFailure } from '../common/validation.js';
import { DatabaseGate } from '../database/database.gate.js';
import type { CreateTaskDto } from './dto/create-task.dto.js';
import type { ListTasksQuery } from './dto/list-tasks.query.js';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { type TaskRecord, type TaskResponse, toTaskResponse } from './task.record.js';
import { TASK_ENTITY } from './task.schema.js';

/** Ids beyond a 32-bit integer column cannot exist: answer 404 without asking the database. */
const MAX_STORED_ID = 2_147_483_647;

export interface TaskList {
  tasks: TaskResponse[];
  count: number;
  limit: number;
  offset: number;
}

@Injectable()
export class TasksService {
  constructor(
    private readonly db: DatabaseGate,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  list(query: ListTasksQuery): Promise<TaskList> {
    return this.db.run(async (manager) => {
      const tasks = await manager.getRepository<TaskRecord>(TASK_ENTITY).find({
        where: query.completed === undefined ? {} : { completed: query.completed },
        order: { createdAt: 'DESC', id: 'DESC' },
        take: query.limit,
        skip: query.offset,
      });
      return {
        tasks: tasks.map(toTaskResponse),
        count: tasks.length,
        limit: query.limit,
        offset: query.offset,
      };
    });
  }

  async get(id: number): Promise<TaskResponse> {
    return toTaskResponse(
      await this.db.run((manager) => this.find(manager.getRepository<TaskRecord>(TASK_ENTITY), id)),
    );
  }

  create(input: CreateTaskDto): Promise<TaskResponse> {
    const now = this.clock.now();
    return this.db.run(async (manager) => {
      const repository = manager.getRepository<TaskRecord>(TASK_ENTITY);
      const { identifiers } = await repository.insert({
        title: input.title,
        description: input.description ?? '',
        completed: input.completed ?? false,
        createdAt: now,
        updatedAt: now,
      });
      const id = Number(identifiers[0]?.['id']);
      return toTaskResponse({
        id,
        title: input.title,
        description: input.description ?? '',
        completed: input.completed ?? false,
        createdAt: now,
        updatedAt: now,
      });
    });
  }

  update(id: number, input: UpdateTaskDto): Promise<TaskResponse> {
    const changes: Partial<TaskRecord> = {};
    if (input.title !== undefined) changes.title = input.title;
    if (input.description !== undefined) changes.description = input.description;
    if (input.completed !== undefined) changes.completed = input.completed;
    if (Object.keys(changes).length === 0) {
      throw validationFailure([
        { field: 'body', problems: ['body must contain at least one of title, description, completed'] },
      ]);
    }
    changes.updatedAt = this.clock.now();
    return this.db.run(async (manager) => {
      const repository = manager.getRepository<TaskRecord>(TASK_ENTITY);
      const { affected } = await repository.update({ id: this.storable(id) }, changes);
      if (!affected) throw new TaskNotFoundError(id);
      return toTaskResponse(await this.find(repository, id));
    });
  }

  remove(id: number): Promise<{ message: string }> {
    return this.db.run(async (manager) => {
      const { affected } = await manager
        .getRepository<TaskRecord>(TASK_ENTITY)
        .delete({ id: this.storable(id) });
      if (!affected) throw new TaskNotFoundError(id);
      return { message: `task ${id} deleted` };
    });
  }

  private async find(
    repository: { findOneBy(where: { id: number }): Promise<TaskRecord | null> },
    id: number,
  ) {
    const task = await repository.findOneBy({ id: this.storable(id) });
    if (!task) throw new TaskNotFoundError(id);
    return task;
  }

  private storable(id: number): number {
    if (id > MAX_STORED_ID) throw new TaskNotFoundError(id);
    return id;
  }
}
