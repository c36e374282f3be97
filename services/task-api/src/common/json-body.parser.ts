import type { FastifyInstance, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { brotliDecompressSync, gunzipSync, inflateSync, type ZlibOptions } from 'node:zlib';
import { validationFailure } from './validation.js';

/** Request bodies are capped here and in the frontend's nginx alike: 64 KiB, decoded. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Request bodies are flat objects: a few levels leave room for clear per-field errors. */
export const MAX_BODY_DEPTH = 8;

/** A request body the service will not read, with the status and message to answer. */
export class RequestBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

export const BODY_LIMIT_MESSAGE = 'request body exceeds the 64 KiB limit';
const MALFORMED = 'malformed JSON body: send a valid JSON object';
const UNSUPPORTED_ENCODING = 'unsupported body encoding: send UTF-8 JSON';
const UNDECODABLE =
  'the request body does not decode as its content-encoding says: send it compressed as declared, or without content-encoding';

const DECODERS: Record<string, (body: Buffer, options: ZlibOptions) => Buffer> = {
  gzip: gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/** The body as sent before its content-encoding (identity, gzip, deflate or br), at most the limit. */
function decode(body: Buffer, encoding: string | undefined): Buffer {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === 'identity' || name === '') return body;
  const decoder = DECODERS[name];
  if (decoder === undefined) throw new RequestBodyError(415, UNSUPPORTED_ENCODING);
  try {
    return decoder(body, { maxOutputLength: BODY_LIMIT_BYTES });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new RequestBodyError(413, BODY_LIMIT_MESSAGE);
    throw new RequestBodyError(400, UNDECODABLE);
  }
}

/** Whether `text` parses as JSON: tells a prototype key from malformed JSON, on the error path only. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether `value` nests arrays or objects more than `depth` levels deep; stops at that depth. */
function deeperThan(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth === 0) return true;
  if (Array.isArray(value)) return value.some((item) => deeperThan(item, depth - 1));
  for (const key in value) if (deeperThan((value as Record<string, unknown>)[key], depth - 1)) return true;
  return false;
}

/**
 * A JSON body: decoded as its content-encoding says, UTF-8 only, an object or an array (strict),
 * `{}` when empty, without prototype keys, and no deeper than {@link MAX_BODY_DEPTH}, which a walk
 * of its top levels checks before validation, whose recursion would otherwise overflow the stack.
 */
export function parseJsonBody(request: FastifyRequest, raw: Buffer): unknown {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8')
    throw new RequestBodyError(415, UNSUPPORTED_ENCODING);
  const text = decode(raw, request.headers['content-encoding']).toString('utf8');
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return {};
  if (first !== '{' && first !== '[') throw new RequestBodyError(400, MALFORMED);
  let body: unknown;
  try {
    // JSON.parse, then a scan for prototype keys only when the text holds one (an own "__proto__"
    // property would set a prototype in a later merge of the body).
    body = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    if (!isJson(text)) throw new RequestBodyError(400, MALFORMED);
    throw validationFailure([
      { field: 'body', problems: ['body must not have __proto__ or constructor.prototype keys'] },
    ]);
  }
  if (deeperThan(body, MAX_BODY_DEPTH))
    throw validationFailure([
      {
        field: 'body',
        problems: [`body must not nest arrays or objects more than ${MAX_BODY_DEPTH} levels deep`],
      },
    ]);
  return body;
}

/**
 * The service's only body parser: JSON as above. Bodies of any other type are read (within the
 * limit) and left out, so that validation names the missing fields, as for a body-less request.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  const options = { parseAs: 'buffer' as const, bodyLimit: BODY_LIMIT_BYTES };
  fastify.addContentTypeParser('application/json', options, (request, raw: Buffer, done) => {
    // No route: the request is answered 404 or 405 whatever its body holds.
    if (request.is404) {
      done(null, undefined);
      return;
    }
    let body: unknown;
    try {
      body = parseJsonBody(request, raw);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    done(null, body);
  });
  fastify.addContentTypeParser('*', options, (_request, _raw, done) => done(null, undefined));
}
