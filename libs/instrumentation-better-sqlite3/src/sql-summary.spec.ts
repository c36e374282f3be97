import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeSql } from './sql-summary.js';

void describe('summarizeSql', () => {
  const cases: ReadonlyArray<
    readonly [sql: string, operation: string | undefined, collection: string | undefined]
  > = [
    ['SELECT * FROM tasks WHERE id = ?', 'SELECT', 'tasks'],
    ['select id from tasks', 'SELECT', 'tasks'],
    ['INSERT INTO tasks (title) VALUES (?)', 'INSERT', 'tasks'],
    ['INSERT OR IGNORE INTO "tasks"("id", "title") VALUES (?, ?)', 'INSERT', 'tasks'],
    ['REPLACE INTO tasks VALUES (:id, :title)', 'REPLACE', 'tasks'],
    ['UPDATE tasks SET done = 1 WHERE id = @id', 'UPDATE', 'tasks'],
    ['UPDATE OR REPLACE tasks SET done = 1', 'UPDATE', 'tasks'],
    ['DELETE FROM `tasks` WHERE id = $id', 'DELETE', 'tasks'],
    ['SELECT "Task"."id" AS "Task_id" FROM "task" "Task" WHERE "Task"."id" IN (?)', 'SELECT', 'task'],
    ['SELECT * FROM main.tasks', 'SELECT', 'main.tasks'],
    ['SELECT * FROM "main"."tasks"', 'SELECT', 'main.tasks'],
    ['CREATE TABLE IF NOT EXISTS [tasks] (id INTEGER PRIMARY KEY)', 'CREATE', 'tasks'],
    ['DROP TABLE IF EXISTS tasks', 'DROP', 'tasks'],
    ['ALTER TABLE tasks ADD COLUMN done INTEGER', 'ALTER', 'tasks'],
    ['CREATE INDEX idx_tasks_done ON tasks (done)', 'CREATE', 'tasks'],
    [
      'INSERT INTO tasks (id) VALUES (?) ON CONFLICT(id) DO UPDATE SET title = excluded.title',
      'INSERT',
      'tasks',
    ],
    ['WITH recent AS (SELECT id FROM tasks) SELECT * FROM recent', 'SELECT', undefined],
    ['SELECT * FROM tasks JOIN tags ON tags.task_id = tasks.id', 'SELECT', undefined],
    ['SELECT * FROM tasks, tags', 'SELECT', undefined],
    ['DELETE FROM tasks WHERE id IN (SELECT task_id FROM archived)', 'DELETE', undefined],
    ['SELECT count(*) FROM (SELECT id FROM tasks)', 'SELECT', 'tasks'],
    ['SELECT 1', 'SELECT', undefined],
    ["SELECT 'FROM users' AS x", 'SELECT', undefined],
    ['-- list tasks\n/* FROM users */ SELECT * FROM tasks', 'SELECT', 'tasks'],
    ['BEGIN', 'BEGIN', undefined],
    ['BEGIN IMMEDIATE', 'BEGIN', undefined],
    ['COMMIT;', 'COMMIT', undefined],
    ['ROLLBACK', 'ROLLBACK', undefined],
    ['PRAGMA journal_mode = WAL', 'PRAGMA', undefined],
    ['CREATE TABLE a (x); INSERT INTO a VALUES (1)', undefined, undefined],
    ['', undefined, undefined],
    ['   -- only a comment', undefined, undefined],
  ];

  for (const [sql, operation, collection] of cases) {
    void it(`summarizes ${JSON.stringify(sql)} as ${String(operation)} on ${String(collection)}`, () => {
      assert.deepEqual(summarizeSql(sql), { operation, collection });
    });
  }
});
