import type Database from 'better-sqlite3';
import type { DatabaseGate } from '../../database/database.gate.js';
import type { ServiceMetrics } from '../../metrics/metrics.registry.js';
import { SqliteTaskStore } from './sqlite-task.store.js';
import type { TaskStore } from './task.store.js';
import { TypeOrmTaskStore } from './typeorm-task.store.js';

/** Prepared statements on SQLite's single connection; TypeORM's pooled connections on PostgreSQL. */
export function createTaskStore(db: DatabaseGate, metrics: ServiceMetrics): TaskStore {
  switch (db.kind) {
    case 'sqlite': {
      const driver = db.dataSource.driver as unknown as { databaseConnection?: Database.Database };
      if (driver.databaseConnection === undefined) {
        throw new Error('the SQLite data source is not open: initialize it before creating the task store');
      }
      return new SqliteTaskStore(db, driver.databaseConnection, metrics.dbQueryDuration);
    }
    case 'postgres':
      return new TypeOrmTaskStore(db);
  }
}
