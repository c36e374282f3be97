import { trace } from '@opentelemetry/api';
import type { Histogram } from 'prom-client';
import type { DataSource, QueryRunner } from 'typeorm';
import { observeWithExemplar } from '../metrics/exemplar.js';

const OBSERVED = Symbol('obslab.observedQueryRunner');
const OPERATIONS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE']);

/** The `operation` label of a statement: its verb when it is one of the four, else OTHER. */
export function operationOf(sql: string): string {
  const verb = /^\s*([a-z]+)/i.exec(sql)?.[1]?.toUpperCase() ?? '';
  return OPERATIONS.has(verb) ? verb : 'OTHER';
}

/**
 * Times every statement the data source's query runners execute into `db_query_duration_seconds`
 * (with a trace-id exemplar). TypeORM offers no per-query timing hook, so each runner's `query`
 * is wrapped once, at the single point every repository and transaction goes through; the
 * drivers' own spans come from the OpenTelemetry instrumentations, not from here.
 */
export function observeQueries(dataSource: DataSource, histogram: Histogram<'operation'>): void {
  const driver = dataSource.driver;
  const createQueryRunner = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (mode) => observe(createQueryRunner(mode), histogram);
}

function observe(runner: QueryRunner, histogram: Histogram<'operation'>): QueryRunner {
  const marked = runner as QueryRunner & { [OBSERVED]?: true };
  if (marked[OBSERVED]) return runner;
  marked[OBSERVED] = true;
  const query = runner.query.bind(runner) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
  (runner as { query: typeof query }).query = async (sql: string, ...rest: unknown[]) => {
    const started = performance.now();
    try {
      return await query(sql, ...rest);
    } finally {
      const seconds = (performance.now() - started) / 1000;
      observeWithExemplar(histogram, { operation: operationOf(sql) }, seconds, trace.getActiveSpan());
    }
  };
  return runner;
}
