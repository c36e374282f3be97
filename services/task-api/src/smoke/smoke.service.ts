import { Inject, Injectable } from '@nestjs/common';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type Clock, CLOCK } from '../common/clock.js';
import { SmokeBusyError } from '../common/domain.errors.js';
import { DatabaseGate } from '../database/database.gate.js';
import type { TaskRecord } from '../tasks/task.record.js';
import { TASK_ENTITY } from '../tasks/task.schema.js';
import type { SmokeType } from './smoke-db.query.js';

/** Let other requests (probes, scrapes) run between batches: SQLite statements are synchronous. */
const OPS_PER_BATCH = 100;
/**
 * A smoke test holds one database connection (PostgreSQL) or the connection (SQLite) for its whole
 * transaction: one at a time, so that it never takes the pool from the API and the probes.
 */
export const MAX_CONCURRENT_SMOKE_TESTS = 1;

export interface SmokeResult {
  ok: true;
  requested_ops: number;
  type: SmokeType;
  performed: { read: number; write: number };
  rolled_back: true;
  duration_ms: number;
}

/** Exercises the database with real statements in a transaction that is always rolled back. */
@Injectable()
export class SmokeService {
  private running = 0;

  constructor(
    private readonly db: DatabaseGate,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(ops: number, type: SmokeType): Promise<SmokeResult> {
    if (this.running >= MAX_CONCURRENT_SMOKE_TESTS) throw new SmokeBusyError();
    this.running++;
    try {
      return await this.exercise(ops, type);
    } finally {
      this.running--;
    }
  }

  private async exercise(ops: number, type: SmokeType): Promise<SmokeResult> {
    const started = performance.now();
    const performed = await this.db.rolledBack(async (manager) => {
      const repository = manager.getRepository<TaskRecord>(TASK_ENTITY);
      const done = { read: 0, write: 0 };
      for (let op = 0; op < ops; op++) {
        if (op > 0 && op % OPS_PER_BATCH === 0) await yieldToEventLoop();
        const write = type === 'write' || (type === 'rw' && op % 2 === 1);
        if (write) {
          const now = this.clock.now();
          await repository.insert({
            title: `smoke ${op}`,
            description: '',
            completed: false,
            createdAt: now,
            updatedAt: now,
          });
          done.write++;
        } else {
          await repository.find({ order: { createdAt: 'DESC', id: 'DESC' }, take: 1 });
          done.read++;
        }
      }
      return done;
    });
    return {
      ok: true,
      requested_ops: ops,
      type,
      performed,
      rolled_back: true,
      duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
    };
  }
}
