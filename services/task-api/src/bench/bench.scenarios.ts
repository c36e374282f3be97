// The benchmark's scenarios (the requests autocannon sends) and the data they run on.
import type autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { toSqliteTimestamp } from '../tasks/store/sqlite-task.sql.js';

export interface Scenario {
  name: string;
  request: (baseUrl: string) => autocannon.Options;
}

export const list: Scenario = {
  name: 'list (100 tasks)',
  request: (url) => ({ url: `${url}/api/tasks?limit=100` }),
};
export const get: Scenario = { name: 'get', request: (url) => ({ url: `${url}/api/tasks/50` }) };
export const create: Scenario = {
  name: 'create',
  request: (url) => ({
    url: `${url}/api/tasks`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'benchmark task', description: 'created under load' }),
  }),
};
export const listLarge: Scenario = {
  name: 'list (100 of 100,000 rows)',
  request: (url) => ({ url: `${url}/api/tasks?limit=100` }),
};

export async function seed(baseUrl: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${baseUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: `seed ${i}`, description: 'x'.repeat(80) }),
    });
    if (response.status !== 201) throw new Error(`seeding ${baseUrl} failed: ${response.status}`);
  }
}

/** Tops the table up to `rows` rows, older than every row already there. */
export function fillTable(file: string, rows: number): void {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    const present = db.prepare('SELECT count(*) FROM tasks').pluck().get() as number;
    const insert = db.prepare(
      'INSERT INTO tasks (title, description, completed, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    );
    const base = Date.UTC(2020, 0, 1);
    db.transaction(() => {
      for (let i = 0; i < rows - present; i++) {
        const at = toSqliteTimestamp(new Date(base + i * 1000));
        insert.run(`filler ${i}`, 'x'.repeat(80), i % 3 === 0 ? 1 : 0, at, at);
      }
    })();
  } finally {
    db.close();
  }
}
