import { trace } from '@opentelemetry/api';
import type Database from 'better-sqlite3';
import type { Histogram } from 'prom-client';
import type { DatabaseGate } from '../../database/database.gate.js';
import { observeWithExemplar } from '../../metrics/exemplar.js';
import type { TaskResponse } from '../task.record.js';
import {
  SQLITE_TASK_SQL,
  type SqliteTaskRow,
  sqliteRowToResponse,
  toSqliteTimestamp,
} from './sqlite-task.sql.js';
import type { NewTask, TaskChanges, TaskListOptions, TaskStore } from './task.store.js';

type Operation = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
const LABELS: Record<Operation, { operation: Operation }> = {
  SELECT: { operation: 'SELECT' },
  INSERT: { operation: 'INSERT' },
  UPDATE: { operation: 'UPDATE' },
  DELETE: { operation: 'DELETE' },
};

type Bound = (string | number | null)[];

/**
 * The tasks table on SQLite through statements prepared once on TypeORM's better-sqlite3
 * connection: no query building and no entity hydration per request. Statements are synchronous,
 * so each method runs at once unless a unit of work holds the connection (see DatabaseGate). The
 * CLIENT spans come from the better-sqlite3 instrumentation, which patches this same connection;
 * `db_query_duration_seconds` is observed here, as the query runner wrapper does for TypeORM.
 */
export class SqliteTaskStore implements TaskStore {
  private readonly statements: { [K in keyof typeof SQLITE_TASK_SQL]: Database.Statement<Bound> };

  constructor(
    private readonly db: DatabaseGate,
    connection: Database.Database,
    private readonly queryDuration: Histogram<'operation'>,
  ) {
    const prepare = (sql: string) => connection.prepare<Bound>(sql);
    this.statements = {
      list: prepare(SQLITE_TASK_SQL.list),
      listByCompleted: prepare(SQLITE_TASK_SQL.listByCompleted),
      listAfter: prepare(SQLITE_TASK_SQL.listAfter),
      listByCompletedAfter: prepare(SQLITE_TASK_SQL.listByCompletedAfter),
      get: prepare(SQLITE_TASK_SQL.get),
      insert: prepare(SQLITE_TASK_SQL.insert),
      update: prepare(SQLITE_TASK_SQL.update),
      remove: prepare(SQLITE_TASK_SQL.remove),
    };
  }

  list({ completed, limit, offset, after }: TaskListOptions): Promise<TaskResponse[]> {
    const bound: Bound = completed === undefined ? [] : [completed ? 1 : 0];
    if (after !== undefined) bound.push(toSqliteTimestamp(new Date(after.createdAt)), after.id);
    bound.push(limit, offset);
    const statement =
      after === undefined
        ? completed === undefined
          ? this.statements.list
          : this.statements.listByCompleted
        : completed === undefined
          ? this.statements.listAfter
          : this.statements.listByCompletedAfter;
    return this.db.runSync(() =>
      (this.timed('SELECT', () => statement.all(...bound)) as SqliteTaskRow[]).map(sqliteRowToResponse),
    );
  }

  get(id: number): Promise<TaskResponse | undefined> {
    return this.db.runSync(() => {
      const row = this.timed('SELECT', () => this.statements.get.get(id)) as SqliteTaskRow | undefined;
      return row === undefined ? undefined : sqliteRowToResponse(row);
    });
  }

  create(task: NewTask): Promise<TaskResponse> {
    const stored = toSqliteTimestamp(task.createdAt);
    return this.db.runSync(() => {
      const { lastInsertRowid } = this.timed('INSERT', () =>
        this.statements.insert.run(task.title, task.description, task.completed ? 1 : 0, stored, stored),
      );
      const iso = task.createdAt.toISOString();
      return {
        id: Number(lastInsertRowid),
        title: task.title,
        description: task.description,
        completed: task.completed,
        created_at: iso,
        updated_at: iso,
      };
    });
  }

  update(id: number, changes: TaskChanges): Promise<TaskResponse | undefined> {
    const completed = changes.completed === undefined ? null : changes.completed ? 1 : 0;
    const bound: Bound = [
      changes.title ?? null,
      changes.description ?? null,
      completed,
      toSqliteTimestamp(changes.updatedAt),
      id,
    ];
    return this.db.runSync(() => {
      const row = this.timed('UPDATE', () => this.statements.update.get(...bound)) as
        SqliteTaskRow | undefined;
      return row === undefined ? undefined : sqliteRowToResponse(row);
    });
  }

  remove(id: number): Promise<boolean> {
    return this.db.runSync(() => this.timed('DELETE', () => this.statements.remove.run(id)).changes > 0);
  }

  private timed<T>(operation: Operation, statement: () => T): T {
    const started = performance.now();
    try {
      return statement();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      observeWithExemplar(this.queryDuration, LABELS[operation], seconds, trace.getActiveSpan());
    }
  }
}
