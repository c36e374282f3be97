import { Mutex } from 'async-mutex';
import type { DataSource, EntityManager } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config.js';

/**
 * The way every unit of work reaches the database. TypeORM's better-sqlite3 driver shares one
 * connection (and one query runner) across the process, so a transaction spanning awaits would
 * swallow other requests' statements (and roll them back with it). On SQLite the gate therefore
 * runs units of work one at a time; on PostgreSQL each takes its own pooled connection.
 */
export class DatabaseGate {
  private readonly mutex: Mutex | undefined;

  constructor(
    readonly dataSource: DataSource,
    readonly kind: DatabaseConfig['kind'],
  ) {
    this.mutex = kind === 'sqlite' ? new Mutex() : undefined;
  }

  /** Runs statements outside an explicit transaction (each is atomic on its own). */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => work(this.dataSource.manager));
  }

  /**
   * Runs synchronous statements (better-sqlite3's): at once when no unit of work holds the
   * connection, else after it, so that they never land inside another unit's transaction. Costs
   * no lock round trip on the hot path.
   */
  runSync<T>(work: () => T): Promise<T> {
    if (this.mutex?.isLocked()) return this.mutex.runExclusive(work);
    return new Promise<T>((resolve) => resolve(work()));
  }

  /** Runs work in a transaction that is always rolled back (dry runs, smoke tests). */
  rolledBack<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const runner = this.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        return await work(runner.manager);
      } finally {
        try {
          await runner.rollbackTransaction();
        } finally {
          await runner.release();
        }
      }
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.mutex ? this.mutex.runExclusive(work) : work();
  }
}
