import type { Server } from 'node:http';
import type { AppConfig } from './config/app-config.js';
import { createApp } from './app.factory.js';
import { systemClock } from './common/clock.js';
import { openDataSource } from './database/open-data-source.js';
import { openWhenReachable } from './database/open-when-reachable.js';
import { createLogger } from './logging/logger.js';
import { createServiceMetrics } from './metrics/metrics.registry.js';
import type { Telemetry } from './telemetry/telemetry.js';

/**
 * Opens the database, starts listening, and on SIGTERM/SIGINT shuts down in order: stop
 * accepting, finish in-flight requests (bounded), close the database, flush telemetry.
 * Resolves to a promise that settles once the service has stopped.
 */
export async function serve(config: AppConfig, telemetry: Telemetry): Promise<{ stopped: Promise<void> }> {
  const logger = createLogger(config.logLevel, config.telemetry.serviceName, {
    exportLogs: !config.telemetry.disabled && config.telemetry.exportLogs,
  });
  const metrics = createServiceMetrics();
  // Started beside its database (compose, a StatefulSet), it waits for it instead of exiting.
  const dataSource = await openWhenReachable(() => openDataSource(config, metrics, logger), logger);
  const app = await createApp({ config, logger, metrics, dataSource, clock: systemClock });
  await app.listen(config.port, config.host);
  logger.info({ port: config.port, host: config.host, database: config.database.kind }, 'task-api listening');

  const stop = async (signal: NodeJS.Signals) => {
    logger.info({ signal, timeout_ms: config.shutdownTimeoutMs }, 'shutting down');
    const server = app.getHttpServer() as Server;
    const deadline = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time: closing their connections');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    deadline.unref();
    // Keep-alive connections become idle as their requests finish: close them as they do.
    const reaper = setInterval(() => server.closeIdleConnections(), 50);
    server.closeIdleConnections();
    await app.close(); // stops accepting, waits for in-flight requests, then Nest's shutdown hooks (database)
    clearInterval(reaper);
    clearTimeout(deadline);
    await telemetry.shutdown();
    logger.info('stopped');
    logger.flush();
  };
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  }).then(stop);
  return { stopped };
}
