import type { DatabaseGate } from '../../database/database.gate.js';
import { type TaskRecord, type TaskResponse, toTaskResponse } from '../task.record.js';
import { TASK_ENTITY } from '../task.schema.js';
import type { NewTask, TaskChanges, TaskListOptions, TaskStore } from './task.store.js';

/** The tasks table through TypeORM: the store on PostgreSQL (pooled connections, no gate lock). */
export class TypeOrmTaskStore implements TaskStore {
  constructor(private readonly db: DatabaseGate) {}

  list({ completed, limit, offset, after }: TaskListOptions): Promise<TaskResponse[]> {
    return this.db.run(async (manager) => {
      const query = manager.getRepository<TaskRecord>(TASK_ENTITY).createQueryBuilder('task');
      if (completed !== undefined) query.andWhere('task.completed = :completed', { completed });
      if (after !== undefined) {
        query.andWhere('(task.createdAt, task.id) < (:afterCreatedAt, :afterId)', {
          afterCreatedAt: new Date(after.createdAt),
          afterId: after.id,
        });
      }
      const tasks = await query
        .orderBy('task.createdAt', 'DESC')
        .addOrderBy('task.id', 'DESC')
        .limit(limit)
        .offset(offset)
        .getMany();
      return tasks.map(toTaskResponse);
    });
  }

  get(id: number): Promise<TaskResponse | undefined> {
    return this.db.run(async (manager) => {
      const task = await manager.getRepository<TaskRecord>(TASK_ENTITY).findOneBy({ id });
      return task ? toTaskResponse(task) : undefined;
    });
  }

  create(task: NewTask): Promise<TaskResponse> {
    const record = { ...task, updatedAt: task.createdAt };
    return this.db.run(async (manager) => {
      const { identifiers } = await manager.getRepository<TaskRecord>(TASK_ENTITY).insert(record);
      return toTaskResponse({ id: Number(identifiers[0]?.['id']), ...record });
    });
  }

  update(id: number, changes: TaskChanges): Promise<TaskResponse | undefined> {
    return this.db.run(async (manager) => {
      const repository = manager.getRepository<TaskRecord>(TASK_ENTITY);
      const { affected } = await repository.update({ id }, changes);
      if (!affected) return undefined;
      const task = await repository.findOneBy({ id });
      return task ? toTaskResponse(task) : undefined;
    });
  }

  remove(id: number): Promise<boolean> {
    return this.db.run(async (manager) => {
      const { affected } = await manager.getRepository<TaskRecord>(TASK_ENTITY).delete({ id });
      return Boolean(affected);
    });
  }
}
