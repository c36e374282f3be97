/** A task id that names no task. */
export class TaskNotFoundError extends Error {
  constructor(readonly id: number) {
    super(`task ${id} not found`);
    this.name = 'TaskNotFoundError';
  }
}

/** The failure /api/simulate-error produces on purpose. */
export class SimulatedFailureError extends Error {
  constructor() {
    super('simulated failure: /api/simulate-error always fails, to exercise error telemetry');
    this.name = 'SimulatedFailureError';
  }
}

/** The database did not answer (stopped, frozen, out of connections): the request can be retried. */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the database is unavailable: retry in a few seconds', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/** A database smoke test is already running: smoke tests take turns so they cannot starve the API. */
export class SmokeBusyError extends Error {
  constructor() {
    super('a database smoke test is already running: retry when it has finished');
    this.name = 'SmokeBusyError';
  }
}
