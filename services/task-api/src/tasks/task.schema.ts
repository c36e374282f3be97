import { EntitySchema } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config.js';
import { timestampColumnType } from '../database/column-types.js';
import type { TaskRecord } from './task.record.js';

export const TASK_ENTITY = 'Task';
export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 10_000;

/**
 * The tasks table mapping for one database kind. The schema itself, column defaults included, is
 * owned by the migrations: declaring defaults here would make TypeORM read every inserted row back.
 */
export function taskSchema(kind: DatabaseConfig['kind']): EntitySchema<TaskRecord> {
  const timestamp = timestampColumnType(kind);
  return new EntitySchema<TaskRecord>({
    name: TASK_ENTITY,
    tableName: 'tasks',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      title: { type: 'varchar', length: TITLE_MAX_LENGTH },
      description: { type: 'text' },
      completed: { type: 'boolean' },
      createdAt: { name: 'created_at', type: timestamp },
      updatedAt: { name: 'updated_at', type: timestamp },
    },
  });
}
