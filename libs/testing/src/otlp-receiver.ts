import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** An OTLP attribute value in the JSON encoding. */
interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}
interface KeyValue {
  key: string;
  value: AnyValue;
}

/** A span as received, with attributes flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  events: { name: string; attributes: Record<string, unknown> }[];
  resource: Record<string, unknown>;
}

/** A log record as received. */
export interface ReceivedLog {
  traceId: string;
  spanId: string;
  severityText: string;
  body: unknown;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

/** A request whose body was not JSON (http/protobuf): kept raw. */
export interface RawExport {
  path: string;
  contentType: string;
  body: Buffer;
}

/** An OTLP/HTTP endpoint on 127.0.0.1 that records what the service exports. */
export interface OtlpReceiver {
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  readonly logs: ReceivedLog[];
  readonly raw: RawExport[];
  close(): Promise<void>;
}

const SPAN_KIND_CLIENT = 3;
const SPAN_KIND_SERVER = 2;
export const SpanKinds = { server: SPAN_KIND_SERVER, client: SPAN_KIND_CLIENT } as const;

function valueOf(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

function flatten(attributes: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map((kv) => [kv.key, valueOf(kv.value)]));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

interface TracesRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: (Omit<ReceivedSpan, 'attributes' | 'events' | 'resource'> & {
        attributes?: KeyValue[];
        events?: { name: string; attributes?: KeyValue[] }[];
      })[];
    }[];
  }[];
}

interface LogsRequest {
  resourceLogs?: {
    resource?: { attributes?: KeyValue[] };
    scopeLogs?: {
      logRecords?: {
        traceId?: string;
        spanId?: string;
        severityText?: string;
        body?: AnyValue;
        attributes?: KeyValue[];
      }[];
    }[];
  }[];
}

/** Options of {@link startOtlpReceiver}. */
export interface OtlpReceiverOptions {
  /**
   * Address to listen on. Default: `127.0.0.1`. Tests that receive from containers pass the
   * gateway address of a Docker network they created.
   */
  readonly host?: string;
}

/** Starts a receiver for OTLP/HTTP: JSON payloads are decoded; protobuf payloads are kept raw. */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const spans: ReceivedSpan[] = [];
  const logs: ReceivedLog[] = [];
  const raw: RawExport[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const path = request.url ?? '';
      const contentType = request.headers['content-type'] ?? '';
      if (!contentType.includes('json')) raw.push({ path, contentType, body });
      else if (path === '/v1/traces') {
        for (const rs of (JSON.parse(body.toString('utf8')) as TracesRequest).resourceSpans ?? []) {
          const resource = flatten(rs.resource?.attributes);
          for (const ss of rs.scopeSpans ?? []) {
            for (const span of ss.spans ?? []) {
              spans.push({
                ...span,
                parentSpanId: span.parentSpanId ?? '',
                status: span.status ?? {},
                attributes: flatten(span.attributes),
                events: (span.events ?? []).map((event) => ({
                  name: event.name,
                  attributes: flatten(event.attributes),
                })),
                resource,
              });
            }
          }
        }
      } else if (path === '/v1/logs') {
        for (const rl of (JSON.parse(body.toString('utf8')) as LogsRequest).resourceLogs ?? []) {
          const resource = flatten(rl.resource?.attributes);
          for (const sl of rl.scopeLogs ?? []) {
            for (const record of sl.logRecords ?? []) {
              logs.push({
                traceId: record.traceId ?? '',
                spanId: record.spanId ?? '',
                severityText: record.severityText ?? '',
                body: valueOf(record.body),
                attributes: flatten(record.attributes),
                resource,
              });
            }
          }
        }
      }
      response.writeHead(200, {
        'content-type': contentType.includes('json') ? 'application/json' : contentType,
      });
      response.end(contentType.includes('json') ? '{}' : '');
    })().catch((error: unknown) => {
      response.writeHead(400);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    spans,
    logs,
    raw,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
