// Which failures mean "the database is not answering" (a 503 with Retry-After) rather than a bug
// (a 500). node-postgres reports refused and broken connections with errno codes, server-side
// shutdowns and cancellations with SQLSTATE codes, and its own timeouts with plain Errors whose
// messages are its API (pg-pool and pg's client have no codes for them).

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** 57014 query_canceled (statement_timeout), 57P01–57P03 shutdown/cannot connect now, 53300 too many connections. */
const SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '53300']);
const PG_CLIENT_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

function unavailableItself(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08')))
    return true;
  return PG_CLIENT_MESSAGES.some((message) => error.message.startsWith(message));
}

/** Whether `error` (or the driver error TypeORM wraps, or its cause) says the database is unreachable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (unavailableItself(current)) return true;
    const wrapped = current as { driverError?: unknown; cause?: unknown };
    current = wrapped.driverError ?? wrapped.cause;
  }
  return false;
}
