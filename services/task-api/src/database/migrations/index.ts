import { CreateTasks1764000000000 } from './1764000000000-create-tasks.migration.js';

/** Every migration, in order. TypeORM records the applied ones in its `migrations` table. */
export const MIGRATIONS = [CreateTasks1764000000000];
