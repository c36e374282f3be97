import { Server, ServerCredentials, type ServiceDefinition, type handleUnaryCall } from '@grpc/grpc-js';

/** An export received over OTLP/gRPC, kept as raw protobuf. */
export interface GrpcExport {
  /** e.g. `/opentelemetry.proto.collector.trace.v1.TraceService/Export` */
  readonly method: string;
  readonly body: Buffer;
}

/** An OTLP/gRPC endpoint on 127.0.0.1 that records raw export requests and answers success. */
export interface OtlpGrpcReceiver {
  readonly endpoint: string;
  readonly exports: GrpcExport[];
  close(): Promise<void>;
}

const SIGNALS = {
  TraceService: 'opentelemetry.proto.collector.trace.v1',
  LogsService: 'opentelemetry.proto.collector.logs.v1',
  MetricsService: 'opentelemetry.proto.collector.metrics.v1',
} as const;

/**
 * Starts a gRPC server implementing the three OTLP Export methods without decoding them: an empty
 * response message is a valid Export*ServiceResponse, and the raw request is kept for assertions.
 */
export async function startOtlpGrpcReceiver(): Promise<OtlpGrpcReceiver> {
  const server = new Server();
  const exports: GrpcExport[] = [];
  for (const [service, pkg] of Object.entries(SIGNALS)) {
    const path = `/${pkg}.${service}/Export`;
    const definition: ServiceDefinition = {
      Export: {
        path,
        requestStream: false,
        responseStream: false,
        requestDeserialize: (bytes: Buffer) => bytes,
        requestSerialize: (bytes: Buffer) => bytes,
        responseSerialize: () => Buffer.alloc(0),
        responseDeserialize: (bytes: Buffer) => bytes,
      },
    };
    const handler: handleUnaryCall<Buffer, Buffer> = (call, callback) => {
      exports.push({ method: path, body: call.request });
      callback(null, Buffer.alloc(0));
    };
    server.addService(definition, { Export: handler });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    exports,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
