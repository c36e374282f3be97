import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createApp } from '../app.factory.js';
import { type Clock, systemClock } from '../common/clock.js';
import { type AppConfig, loadConfig } from '../config/app-config.js';
import { openDataSource } from '../database/open-data-source.js';
import { createLogger } from '../logging/logger.js';
import { createServiceMetrics, type ServiceMetrics } from '../metrics/metrics.registry.js';

/** The service in this process, listening on a free loopback port. */
export interface TestApp {
  readonly baseUrl: string;
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly metrics: ServiceMetrics;
  readonly app: INestApplication;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** PostgreSQL URL; SQLite in a fresh temporary DATA_DIR when absent. */
  readonly databaseUrl?: string;
  readonly clock?: Clock;
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts the real application (real database, real HTTP) in-process, as main.ts would, without telemetry. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'obslab-task-api-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  });
  const logger = createLogger(config.logLevel, 'task-api-test');
  const metrics = createServiceMetrics();
  const dataSource = await openDataSource(config, metrics, logger);
  const app = await createApp({ config, logger, metrics, dataSource, clock: options.clock ?? systemClock });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    dataSource,
    metrics,
    app,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A JSON request to the app: status, parsed body and headers. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
