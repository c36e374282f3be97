import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { CLOCK, type Clock } from './common/clock.js';
import type { AppConfig } from './config/app-config.js';
import { APP_CONFIG } from './config/config.tokens.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { LOGGER } from './logging/logger.tokens.js';
import { MetricsController } from './metrics/metrics.controller.js';
import type { ServiceMetrics } from './metrics/metrics.registry.js';
import { SERVICE_METRICS } from './metrics/metrics.tokens.js';
import { SimulateModule } from './simulate/simulate.module.js';
import { SmokeModule } from './smoke/smoke.module.js';
import { TasksModule } from './tasks/tasks.module.js';

/** What the application is built from: everything with a lifetime of its own is made before Nest. */
export interface AppDependencies {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly dataSource: DataSource;
  readonly clock: Clock;
}

@Global()
@Module({})
export class AppModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    const shared = [
      { provide: APP_CONFIG, useValue: deps.config },
      { provide: LOGGER, useValue: deps.logger },
      { provide: SERVICE_METRICS, useValue: deps.metrics },
      { provide: CLOCK, useValue: deps.clock },
    ];
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forDataSource(deps.dataSource, deps.config.database.kind),
        TasksModule,
        SimulateModule,
        SmokeModule,
        HealthModule,
      ],
      controllers: [MetricsController],
      providers: shared,
      exports: shared.map((provider) => provider.provide),
    };
  }
}
