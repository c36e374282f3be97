import { ValidateBy } from 'class-validator';

/** Where a keyset page starts: strictly after (older than) the task with this creation time and id. */
export interface TaskCursor {
  /** ISO 8601 UTC with milliseconds, as in the API (`2026-11-30T11:55:19.240Z`). */
  readonly createdAt: string;
  readonly id: number;
}

/** The shape of a cursor, as the OpenAPI document states it (only cursors the service made decode). */
export const CURSOR_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const ENCODED = new RegExp(CURSOR_PATTERN);
const DECODED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_(\d{1,10})$/;
const MAX_ID = 2_147_483_647;

/** The opaque `next_cursor` of a page whose last task is `task`. */
export function encodeTaskCursor(task: { readonly created_at: string; readonly id: number }): string {
  return Buffer.from(`${task.created_at}_${task.id}`).toString('base64url');
}

/** The cursor a client sent back, or `undefined` when it is not one {@link encodeTaskCursor} makes. */
export function decodeTaskCursor(text: string): TaskCursor | undefined {
  if (!ENCODED.test(text)) return undefined;
  const match = DECODED.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const [, createdAt, idText] = match as unknown as [string, string, string];
  const id = Number(idText);
  const time = Date.parse(createdAt);
  if (id > MAX_ID || Number.isNaN(time) || new Date(time).toISOString() !== createdAt) return undefined;
  return { createdAt, id };
}

export const CURSOR_MESSAGE = 'after must be the next_cursor of a previous page';

/** Validates a query parameter as a cursor made by {@link encodeTaskCursor}. */
export function IsTaskCursor(): PropertyDecorator {
  return ValidateBy({
    name: 'isTaskCursor',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && decodeTaskCursor(value) !== undefined,
      defaultMessage: () => CURSOR_MESSAGE,
    },
  });
}
