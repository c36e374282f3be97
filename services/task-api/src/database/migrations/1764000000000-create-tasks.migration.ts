import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from '../../tasks/task.schema.js';
import { driverKind, timestampColumnType } from '../column-types.js';

/** Creates the tasks table, identical on SQLite and PostgreSQL but for the timestamp type. */
export class CreateTasks1764000000000 implements MigrationInterface {
  name = 'CreateTasks1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumnType(driverKind(queryRunner.connection.driver.options.type));
    await queryRunner.createTable(
      new Table({
        name: 'tasks',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'title', type: 'varchar', length: String(TITLE_MAX_LENGTH) },
          { name: 'description', type: 'text', default: "''" },
          { name: 'completed', type: 'boolean', default: false },
          { name: 'created_at', type: timestamp },
          { name: 'updated_at', type: timestamp },
        ],
        checks: [
          { name: 'chk_tasks_title_length', expression: `length(title) BETWEEN 1 AND ${TITLE_MAX_LENGTH}` },
          {
            name: 'chk_tasks_description_length',
            expression: `length(description) <= ${DESCRIPTION_MAX_LENGTH}`,
          },
        ],
      }),
    );
    // Newest first, with the id as tie-breaker, optionally filtered by completion.
    await queryRunner.createIndex(
      'tasks',
      new TableIndex({ name: 'idx_tasks_created', columnNames: ['created_at', 'id'] }),
    );
    await queryRunner.createIndex(
      'tasks',
      new TableIndex({ name: 'idx_tasks_completed_created', columnNames: ['completed', 'created_at', 'id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('tasks');
  }
}
