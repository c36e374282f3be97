// The tasks API spec files' set-up: one describe per database (SQLite, and a real PostgreSQL started
// once per file), each on a fresh app, and a raw HTTP client for what fetch will not send.
import { request as httpRequest } from 'node:http';
import { after, before, describe } from 'node:test';
import { startPostgres, type PostgresServer } from '@obslab/testing';
import { call, startTestApp, type TestApp } from './test-app.js';

export const TASK_KEYS = ['completed', 'created_at', 'description', 'id', 'title', 'updated_at'];
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A JSON call to the app under test. */
export type Api = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => ReturnType<typeof call>;

export interface TasksApiContext {
  readonly database: 'sqlite' | 'postgres';
  readonly api: Api;
  /** The running app (set by the describe's before hook). */
  readonly app: () => TestApp;
}

/**
 * `tasks API on sqlite` and `tasks API on postgres`, each registering `tests` on its own app with an
 * empty database; `seed` runs once the app is up, before the tests.
 */
export function describeTasksApi(
  tests: (context: TasksApiContext) => void,
  seed?: (api: Api) => Promise<void>,
): void {
  let postgres: PostgresServer;
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await postgres?.destroy();
  });

  for (const database of ['sqlite', 'postgres'] as const) {
    describe(`tasks API on ${database}`, () => {
      let app: TestApp;
      const api: Api = (method, path, body, headers) => call(app.baseUrl, method, path, body, headers);

      before(async () => {
        const databaseUrl =
          database === 'postgres' ? await postgres.createDatabase('tasks_api_spec') : undefined;
        app = await startTestApp(databaseUrl ? { databaseUrl } : {});
        await seed?.(api);
      });
      after(async () => {
        await app?.close();
      });

      tests({ database, api, app: () => app });
    });
  }
}

/** A raw HTTP request (fetch refuses TRACE and sets its own content-encoding rules). */
export function raw(
  baseUrl: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${path}`, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: parsed });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}
