// The benchmark's raw ceiling: node:http and better-sqlite3 statements prepared once, running the
// same SQL as task-api on SQLite (SQLITE_TASK_SQL) against the same table and indexes, in WAL mode
// with synchronous=NORMAL. No framework, no validation beyond what the routes need, no telemetry.
// Usage: node raw-server.js <port> <database file>
import Database from 'better-sqlite3';
import { createServer, type ServerResponse } from 'node:http';
import {
  SQLITE_TASK_SQL,
  type SqliteTaskRow,
  sqliteRowToResponse,
  toSqliteTimestamp,
} from '../tasks/store/sqlite-task.sql.js';

/** The schema the migrations create on SQLite (see database/migrations), as SQLite reports it. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS "tasks" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "title" varchar(200) NOT NULL, "description" text NOT NULL DEFAULT (''), "completed" boolean NOT NULL DEFAULT (false), "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL, CONSTRAINT "chk_tasks_title_length" CHECK (length(title) BETWEEN 1 AND 200), CONSTRAINT "chk_tasks_description_length" CHECK (length(description) <= 10000));
CREATE INDEX IF NOT EXISTS "idx_tasks_created" ON "tasks" ("created_at", "id");
CREATE INDEX IF NOT EXISTS "idx_tasks_completed_created" ON "tasks" ("completed", "created_at", "id");`;

const port = Number(process.argv[2] ?? 0);
const db = new Database(process.argv[3] ?? ':memory:');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
db.pragma('foreign_keys = ON');
db.exec(SCHEMA);
const list = db.prepare<[number, number], SqliteTaskRow>(SQLITE_TASK_SQL.list);
const get = db.prepare<[number], SqliteTaskRow>(SQLITE_TASK_SQL.get);
const insert = db.prepare<[string, string, number, string, string]>(SQLITE_TASK_SQL.insert);

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://raw');
  if (request.method === 'GET' && url.pathname === '/health/ready')
    return send(response, 200, { status: 'ok' });
  if (request.method === 'GET' && url.pathname.startsWith('/api/tasks/')) {
    const row = get.get(Number(url.pathname.slice('/api/tasks/'.length)));
    return row ? send(response, 200, sqliteRowToResponse(row)) : send(response, 404, { error: 'not found' });
  }
  if (request.method === 'GET' && url.pathname === '/api/tasks') {
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const tasks = list.all(limit, offset).map(sqliteRowToResponse);
    return send(response, 200, { tasks, count: tasks.length, limit, offset });
  }
  if (request.method === 'POST' && url.pathname === '/api/tasks') {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const input = JSON.parse(body) as { title: string; description?: string; completed?: boolean };
      const now = new Date();
      const stored = toSqliteTimestamp(now);
      const task = {
        title: input.title.trim(),
        description: input.description ?? '',
        completed: input.completed ?? false,
      };
      const { lastInsertRowid } = insert.run(
        task.title,
        task.description,
        task.completed ? 1 : 0,
        stored,
        stored,
      );
      const iso = now.toISOString();
      send(response, 201, { id: Number(lastInsertRowid), ...task, created_at: iso, updated_at: iso });
    });
    return;
  }
  send(response, 404, { error: 'not found' });
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () =>
  server.close(() => {
    db.close();
    process.exit(0);
  }),
);
