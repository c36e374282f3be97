import type { DatabaseConfig } from '../config/app-config.js';

/** The timestamp column type of each database: the one place the schema differs between them. */
export function timestampColumnType(kind: DatabaseConfig['kind']): 'datetime' | 'timestamptz' {
  switch (kind) {
    case 'sqlite':
      return 'datetime';
    case 'postgres':
      return 'timestamptz';
  }
}

/** The TypeORM driver type of each database. */
export function driverKind(driverType: string): DatabaseConfig['kind'] {
  if (driverType === 'better-sqlite3') return 'sqlite';
  if (driverType === 'postgres') return 'postgres';
  throw new Error(`unsupported TypeORM driver "${driverType}": expected better-sqlite3 or postgres`);
}
