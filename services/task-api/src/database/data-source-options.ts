import type Database from 'better-sqlite3';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config.js';
import { taskSchema } from '../tasks/task.schema.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * How long a request may wait on PostgreSQL, so that an outage answers 503 within about 2 s instead
 * of hanging: for a pooled connection (connect or wait for a free one), for a statement on the
 * server (statement_timeout cancels it and keeps the connection usable) and for any reply at all
 * (query_timeout, when the server is frozen and cannot cancel anything).
 */
export const POSTGRES_TIMEOUTS = { connectMs: 1500, statementMs: 1500, replyMs: 2000 } as const;

/**
 * TypeORM options for the configured database. The schema is owned by migrations (never
 * `synchronize`), which run at start on a data source of their own (`purpose: 'migrate'`): without
 * the request timeouts, since a migration (or waiting for another replica's) may take longer.
 */
export function dataSourceOptions(
  database: DatabaseConfig,
  purpose: 'serve' | 'migrate' = 'serve',
): DataSourceOptions {
  const common = {
    entities: [taskSchema(database.kind)],
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: false,
  };
  switch (database.kind) {
    case 'sqlite':
      return {
        ...common,
        type: 'better-sqlite3',
        database: database.file,
        prepareDatabase: (db: Database.Database) => {
          // WAL: readers never block the writer. A commit is in the WAL (the OS's page cache) before
          // the statement returns, so a SIGKILL of the process loses no acknowledged write with
          // synchronous=NORMAL; FULL also survives a power loss, at an fsync per commit.
          db.pragma('journal_mode = WAL');
          db.pragma(`synchronous = ${database.synchronous}`);
          db.pragma('busy_timeout = 5000');
        },
      };
    case 'postgres':
      return {
        ...common,
        type: 'postgres',
        url: database.url,
        applicationName: 'task-api',
        extra:
          purpose === 'migrate'
            ? { max: 2, connectionTimeoutMillis: 10_000 }
            : {
                max: 10,
                idleTimeoutMillis: 30_000,
                connectionTimeoutMillis: POSTGRES_TIMEOUTS.connectMs,
                statement_timeout: POSTGRES_TIMEOUTS.statementMs,
                query_timeout: POSTGRES_TIMEOUTS.replyMs,
                keepAlive: true,
              },
      };
  }
}
