import { Module } from '@nestjs/common';
import { DatabaseGate } from '../database/database.gate.js';
import { SERVICE_METRICS } from '../metrics/metrics.tokens.js';
import { createTaskStore } from './store/task-store.factory.js';
import { TASK_STORE } from './store/task.store.js';
import { TasksController } from './tasks.controller.js';
import { TasksService } from './tasks.service.js';

@Module({
  controllers: [TasksController],
  providers: [
    TasksService,
    { provide: TASK_STORE, useFactory: createTaskStore, inject: [DatabaseGate, SERVICE_METRICS] },
  ],
})
export class TasksModule {}
