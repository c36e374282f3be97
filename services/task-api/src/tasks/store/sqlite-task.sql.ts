// The SQL of the task routes on SQLite, prepared once (by the service's SqliteTaskStore and by the
// benchmark's raw ceiling, so that both run exactly the same statements), and the mapping of a
// stored row to the API shape.
import type { TaskResponse } from '../task.record.js';

const COLUMNS = 'id, title, description, completed, created_at, updated_at';
const NEWEST_FIRST = 'ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?';
/** Keyset condition: strictly older than the cursor's (created_at, id), served by the indexes. */
const AFTER = '(created_at, id) < (?, ?)';

export const SQLITE_TASK_SQL = {
  list: `SELECT ${COLUMNS} FROM tasks ${NEWEST_FIRST}`,
  listByCompleted: `SELECT ${COLUMNS} FROM tasks WHERE completed = ? ${NEWEST_FIRST}`,
  listAfter: `SELECT ${COLUMNS} FROM tasks WHERE ${AFTER} ${NEWEST_FIRST}`,
  listByCompletedAfter: `SELECT ${COLUMNS} FROM tasks WHERE completed = ? AND ${AFTER} ${NEWEST_FIRST}`,
  get: `SELECT ${COLUMNS} FROM tasks WHERE id = ?`,
  insert: 'INSERT INTO tasks (title, description, completed, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  update:
    'UPDATE tasks SET title = coalesce(?, title), description = coalesce(?, description), ' +
    `completed = coalesce(?, completed), updated_at = ? WHERE id = ? RETURNING ${COLUMNS}`,
  remove: 'DELETE FROM tasks WHERE id = ?',
} as const;

/** A row of the tasks table as better-sqlite3 returns it. */
export interface SqliteTaskRow {
  id: number;
  title: string;
  description: string;
  completed: number;
  /** `YYYY-MM-DD HH:MM:SS.SSS` in UTC, the format TypeORM writes (and the migrations' data has). */
  created_at: string;
  updated_at: string;
}

/** A Date as stored in a SQLite datetime column: `2026-11-30 11:55:19.240` (UTC). */
export function toSqliteTimestamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** A stored timestamp as ISO 8601 UTC (`2026-11-30T11:55:19.240Z`), without a Date in between. */
export function fromSqliteTimestamp(stored: string): string {
  return `${stored.slice(0, 10)}T${stored.slice(11, 23)}Z`;
}

export function sqliteRowToResponse(row: SqliteTaskRow): TaskResponse {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    completed: row.completed === 1,
    created_at: fromSqliteTimestamp(row.created_at),
    updated_at: fromSqliteTimestamp(row.updated_at),
  };
}
