export { eventually, type EventuallyOptions } from './eventually.js';
export { freePort } from './free-port.js';
export {
  type OtlpReceiver,
  type RawExport,
  type ReceivedLog,
  type ReceivedSpan,
  SpanKinds,
  startOtlpReceiver,
} from './otlp-receiver.js';
export { findPostgresBinaries, type PostgresServer, startPostgres } from './postgres.harness.js';
export { run, type RunOptions } from './run.js';
