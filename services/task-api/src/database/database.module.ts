import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config.js';
import { DatabaseGate } from './database.gate.js';

/**
 * Exposes an already opened data source to Nest (TypeORM's module, for terminus's ping and
 * graceful close on shutdown) and the {@link DatabaseGate} every feature goes through.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forDataSource(dataSource: DataSource, kind: DatabaseConfig['kind']): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSource.options,
          dataSourceFactory: () => Promise.resolve(dataSource),
        }),
      ],
      providers: [{ provide: DatabaseGate, useValue: new DatabaseGate(dataSource, kind) }],
      exports: [DatabaseGate],
    };
  }
}
