import type { DataSource } from 'typeorm';

/** Arbitrary constant identifying the task service's migration lock in pg_advisory_lock. */
const MIGRATION_LOCK_KEY = 712_033_001;

/**
 * Applies pending migrations in one transaction. On PostgreSQL several replicas may start at
 * once: a session-level advisory lock makes the others wait and then find nothing left to do.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type !== 'postgres') {
    return (await dataSource.runMigrations({ transaction: 'all' })).map((m) => m.name);
  }
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return (await dataSource.runMigrations({ transaction: 'all' })).map((m) => m.name);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
  }
}
