import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { AppConfig } from './config/app-config.js';
import { createApp } from './app.factory.js';
import { systemClock } from './common/clock.js';
import { openDataSource } from './database/open-data-source.js';
import { openWhenReachable } from './database/open-when-reachable.js';
import { createLogger } from './logging/logger.js';
import { createServiceMetrics } from './metrics/metrics.registry.js';
import type { Telemetry } from './telemetry/telemetry.js';
import type { Logger } from 'pino';

/**
 * Idle keep-alive connections are closed only after they stayed idle this long into the drain:
 * a busy client's next request (answered with `Connection: close`) arrives well within it, so no
 * connection is closed under a request in flight (which the client would see as a reset).
 */
export const IDLE_GRACE_MS = 500;
/** The telemetry flush gets what is left of SHUTDOWN_TIMEOUT_MS (less a margin to exit), but at least this long. */
export const MIN_FLUSH_MS = 500;
const EXIT_MARGIN_MS = 200;

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
    const started = performance.now();
    logger.info({ signal, timeout_ms: config.shutdownTimeoutMs }, 'shutting down');
    const server = app.getHttpServer() as Server;
    // Drain: every response from now on closes its connection, so keep-alive clients reconnect
    // (elsewhere) instead of sending on a socket that is about to close.
    server.prependListener('request', (_request, response) => response.setHeader('connection', 'close'));
    const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
    // Stop accepting but keep open connections (http.Server#close would also close the idle ones at once).
    NetServer.prototype.close.call(server);
    const deadline = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time: closing their connections');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    deadline.unref();
    let reaper: NodeJS.Timeout | undefined;
    const grace = setTimeout(() => {
      server.closeIdleConnections();
      reaper = setInterval(() => server.closeIdleConnections(), 50);
    }, IDLE_GRACE_MS);
    await closed;
    clearTimeout(grace);
    clearInterval(reaper);
    clearTimeout(deadline);
    await app.close(); // Nest's shutdown hooks (database); the server is already closed
    const left = config.shutdownTimeoutMs - (performance.now() - started) - EXIT_MARGIN_MS;
    const flushMs = Math.round(Math.max(MIN_FLUSH_MS, left));
    await flushTelemetry(telemetry, flushMs, logger);
    logger.info('stopped');
    logger.flush();
  };
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  }).then(stop);
  return { stopped };
}

/** Flushes and stops telemetry within `timeoutMs`; an unreachable Collector is logged once, not fatal. */
async function flushTelemetry(telemetry: Telemetry, timeoutMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([telemetry.shutdown().then(() => 'flushed' as const), timedOut]);
    if (outcome === 'timeout')
      logger.warn(
        { timeout_ms: timeoutMs },
        'telemetry flush did not finish in time: unsent spans and logs are dropped',
      );
  } catch (error) {
    logger.warn({ err: error }, 'telemetry flush failed: unsent spans and logs are dropped');
  } finally {
    clearTimeout(timer);
  }
}
