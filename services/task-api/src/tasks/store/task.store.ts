import type { TaskCursor } from '../task-cursor.js';
import type { TaskResponse } from '../task.record.js';

/** Injection token of the {@link TaskStore} of the configured database. */
export const TASK_STORE = Symbol('TASK_STORE');

export interface TaskListOptions {
  readonly completed?: boolean;
  readonly limit: number;
  readonly offset: number;
  /** Keyset pagination: only tasks older than the cursor (newest first, id as tie-breaker). */
  readonly after?: TaskCursor;
}

export interface NewTask {
  readonly title: string;
  readonly description: string;
  readonly completed: boolean;
  readonly createdAt: Date;
}

export interface TaskChanges {
  readonly title?: string;
  readonly description?: string;
  readonly completed?: boolean;
  readonly updatedAt: Date;
}

/**
 * The tasks table, in the API's shape. Every method is one unit of work through the DatabaseGate;
 * ids are within the column's range (the service answers 404 for others without asking).
 */
export interface TaskStore {
  list(options: TaskListOptions): Promise<TaskResponse[]>;
  get(id: number): Promise<TaskResponse | undefined>;
  create(task: NewTask): Promise<TaskResponse>;
  /** The updated task, or `undefined` when no task has this id. */
  update(id: number, changes: TaskChanges): Promise<TaskResponse | undefined>;
  /** Whether a task was deleted. */
  remove(id: number): Promise<boolean>;
}
