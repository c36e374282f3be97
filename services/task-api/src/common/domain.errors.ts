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
