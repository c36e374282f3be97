export {
  type OtlpReceiver,
  type OtlpReceiverOptions,
  type RawExport,
  type ReceivedLog,
  type ReceivedSpan,
  SpanKinds,
  startOtlpReceiver,
} from './otlp-receiver.js';
export { findPostgresBinaries, type PostgresServer, startPostgres } from './postgres.harness.js';
export { type NodeService, type NodeServiceOptions, startNodeService } from './node-service.js';
export { type GrpcExport, type OtlpGrpcReceiver, startOtlpGrpcReceiver } from './otlp-grpc-receiver.js';
