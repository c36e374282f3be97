import type { AppConfig } from './config/app-config.js';
import { createApp } from './app.factory.js';
import { systemClock } from './common/clock.js';
import { openDataSource } from './database/open-data-source.js';
import { createLogger } from './logging/logger.js';
import { createServiceMetrics } from './metrics/metrics.registry.js';
import type { Telemetry } from './telemetry/telemetry.js';

/**
 * Opens the database, starts listening, and on SIGTERM/SIGINT shuts down in order: stop
 * accepting, finish in-flight requests (bounded), close the database, flush telemetry.
 */
export async function serve(config: AppConfig, telemetry: Telemetry): Promise<void> {
  const logger = createLogger(config.logLevel, config.telemetry.serviceName);
  const metrics = createServiceMetrics();
  const dataSource = await openDataSource(config, metrics, logger);
  const app = await createApp({ config, logger, metrics, dataSource, clock: systemClock });
  await app.listen(config.port, config.host);
  logger.info({ port: config.port, host: config.host, database: config.database.kind }, 'task-api listening');

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, timeout_ms: config.shutdownTimeoutMs }, 'shutting down');
    const server = app.getHttpServer() as import('node:http').Server;
    const deadline = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time: closing their connections');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    deadline.unref();
    server.closeIdleConnections();
    await app.close(); // stops accepting, waits for in-flight requests, then Nest's shutdown hooks (database)
    clearTimeout(deadline);
    await telemetry.shutdown();
    logger.info('stopped');
    logger.flush();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void stop(s));
}
