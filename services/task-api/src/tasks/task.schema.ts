import { EntitySchema } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config.js';
import { timestampColumnType } from '../database/column-types.js';
import type { TaskRecord } from './task.record.js';

export const TASK_ENTITY = 'Task';
export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 10_000;

/** The tasks table mapping for one database kind (the schema itself is owned by the migrations). */
export function taskSchema(kind: DatabaseConfig['kind']): EntitySchema<TaskRecord> {
  const timestamp = timestampColumnType(kind);
  return new EntitySchema<TaskRecord>({
    name: TASK_ENTITY,
    tableName: 'tasks',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      title: { type: 'varchar', length: TITLE_MAX_LENGTH },
      description: { type: 'text', default: '' },
      completed: { type: 'boolean', default: false },
      createdAt: { name: 'created_at', type: timestamp },
      updatedAt: { name: 'updated_at', type: timestamp },
    },
  });
}
