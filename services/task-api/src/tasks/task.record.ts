/** A task as stored. */
export interface TaskRecord {
  id: number;
  title: string;
  description: string;
  completed: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A task as the API returns it (the baseline's snake_case shape, ISO 8601 UTC timestamps). */
export interface TaskResponse {
  id: number;
  title: string;
  description: string;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

export function toTaskResponse(task: TaskRecord): TaskResponse {
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    completed: task.completed,
    created_at: task.createdAt.toISOString(),
    updated_at: task.updatedAt.toISOString(),
  };
}
