import type Database from 'better-sqlite3';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config.js';
import { taskSchema } from '../tasks/task.schema.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * TypeORM options for the configured database. The schema is owned by migrations (never
 * `synchronize`), which the DatabaseModule runs at start.
 */
export function dataSourceOptions(database: DatabaseConfig): DataSourceOptions {
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
        extra: { max: 10, connectionTimeoutMillis: 3000, idleTimeoutMillis: 30_000 },
      };
  }
}
