import type { Context } from '@opentelemetry/api';
import { inContext } from './browser-tracing.js';

/** A task as the API returns it. */
export interface Task {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly completed: boolean;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface TaskInput {
  readonly title: string;
  readonly description?: string;
}

export type TaskChanges = Partial<Pick<Task, 'title' | 'completed'>> & { readonly description?: string };

/** An API answer other than 2xx, with the API's `{error}` message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** The largest page the API serves: totals are computed over it. */
export const LIST_LIMIT = 1000;

async function request<T>(ctx: Context, method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  }
  // fetch is called synchronously inside the action's context: its CLIENT span and traceparent belong to it.
  const response = await inContext(ctx, () => fetch(path, init));
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const error =
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { error?: unknown }).error === 'string'
        ? (parsed as { error: string }).error
        : `HTTP ${response.status}`;
    throw new ApiError(response.status, `${method} ${path}: ${error}`, parsed);
  }
  return parsed as T;
}

/** The task service's API, each call made in the given trace context. */
export const tasksApi = {
  list: (ctx: Context) =>
    request<{ tasks: Task[]; count: number }>(ctx, 'GET', `/api/tasks?limit=${LIST_LIMIT}`),
  create: (ctx: Context, input: TaskInput) => request<Task>(ctx, 'POST', '/api/tasks', input),
  update: (ctx: Context, id: number, changes: TaskChanges) =>
    request<Task>(ctx, 'PUT', `/api/tasks/${id}`, changes),
  remove: (ctx: Context, id: number) => request<{ message: string }>(ctx, 'DELETE', `/api/tasks/${id}`),
  simulateError: (ctx: Context) => request<unknown>(ctx, 'GET', '/api/simulate-error'),
  simulateSlow: (ctx: Context, delaySeconds: number) =>
    request<{ message: string; delay: number }>(ctx, 'GET', `/api/simulate-slow?delay=${delaySeconds}`),
  smokeDb: (ctx: Context, ops: number, type: 'read' | 'write' | 'rw') =>
    request<{ ok: boolean; performed: { read: number; write: number }; duration_ms: number }>(
      ctx,
      'POST',
      `/api/smoke/db?ops=${ops}&type=${type}`,
    ),
};

/** Totals over a list of tasks. */
export function totalsOf(tasks: readonly Task[]): { all: number; completed: number; pending: number } {
  const completed = tasks.filter((task) => task.completed).length;
  return { all: tasks.length, completed, pending: tasks.length - completed };
}
