export { CommandError, run, type RunOptions, type RunResult } from './command.runner.js';
export { eventually, type EventuallyOptions } from './eventually.js';
export { freePort, freePorts } from './free-port.js';
