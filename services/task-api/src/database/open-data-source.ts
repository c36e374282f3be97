import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { type AppConfig, redactUrl } from '../config/app-config.js';
import type { ServiceMetrics } from '../metrics/metrics.registry.js';
import { ensureWritableDir } from './data-dir.js';
import { dataSourceOptions } from './data-source-options.js';
import { migrate } from './migrate.js';
import { observeQueries } from './query-observer.js';

/** Opens the configured database, times its queries and applies pending migrations. */
export async function openDataSource(
  config: AppConfig,
  metrics: ServiceMetrics,
  logger: Logger,
): Promise<DataSource> {
  const { database } = config;
  if (database.kind === 'sqlite') ensureWritableDir(config.dataDir);
  const where = database.kind === 'sqlite' ? database.file : redactUrl(database.url);
  // SQLite has one connection and no timeouts to lift: it migrates on the serving data source.
  const migrating =
    database.kind === 'postgres' ? new DataSource(dataSourceOptions(database, 'migrate')) : undefined;
  const dataSource = new DataSource(dataSourceOptions(database));
  observeQueries(dataSource, metrics.dbQueryDuration);
  try {
    let applied: string[];
    if (migrating) {
      await migrating.initialize();
      applied = await migrate(migrating);
      await migrating.destroy();
      await dataSource.initialize();
    } else {
      await dataSource.initialize();
      applied = await migrate(dataSource);
    }
    logger.info({ database: database.kind, where, migrations: applied }, 'database ready');
    return dataSource;
  } catch (error) {
    if (migrating?.isInitialized) await migrating.destroy();
    if (dataSource.isInitialized) await dataSource.destroy();
    throw new Error(`cannot open the ${database.kind} database at ${where}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
