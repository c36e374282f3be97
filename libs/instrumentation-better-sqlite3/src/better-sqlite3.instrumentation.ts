/* eslint-disable prefer-rest-params, @typescript-eslint/no-this-alias --
 * The wrappers forward `arguments` untouched and need both the caller's `this` (a Database or
 * Statement) and the instrumentation: rest parameters would allocate an array on every statement
 * execution, including the untraced fast path. */
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_RETURNED_ROWS,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  DB_SYSTEM_NAME_VALUE_SQLITE,
} from './semconv.constants.js';
import { summarizeSql } from './sql-summary.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** The better-sqlite3 major versions whose layout this instrumentation was written against. */
const SUPPORTED_VERSIONS = ['>=12.0.0 <14'];

/**
 * Options of {@link BetterSqlite3Instrumentation}.
 *
 * Bound parameter values are never captured, and there is deliberately no option to capture them
 * (no `enhancedDatabaseReporting`): `db.query.text` is the statement's parameterized SQL only.
 */
export interface BetterSqlite3InstrumentationConfig extends InstrumentationConfig {
  /**
   * Trace a statement only when it executes inside a recording span (an HTTP request, a job), so
   * that start-up, migrations and other background statements do not become root spans.
   * @default true
   */
  readonly requireParentSpan?: boolean;
  /**
   * Truncate `db.query.text` to at most this many characters (a positive integer). Applies to
   * statements first traced after the option is set.
   * @default undefined (the whole text)
   */
  readonly maxQueryTextLength?: number;
}

/** The part of a better-sqlite3 `Database` this instrumentation uses (typed locally so that the
 * public types do not depend on `@types/better-sqlite3`). */
interface SqliteDatabase {
  readonly name: string;
  prepare(source: string): SqliteStatement;
  exec(source: string): SqliteDatabase;
  transaction(fn: (...args: unknown[]) => unknown): unknown;
}

/** The part of better-sqlite3's native `Statement` this instrumentation uses. */
interface SqliteStatement {
  readonly source: string;
  readonly database: SqliteDatabase;
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): Iterator<unknown>;
}

type ExecutionMethod = 'run' | 'get' | 'all';
type AnyFunction = (...args: unknown[]) => unknown;

/** What every span of one statement shares: computed once, at the statement's first traced run. */
interface StatementTelemetry {
  readonly spanName: string;
  readonly spanOptions: SpanOptions;
}

const STATEMENT_METHODS = ['run', 'get', 'all', 'iterate'] as const;
const DATABASE_METHODS = ['prepare', 'exec', 'transaction'] as const;

/**
 * OpenTelemetry instrumentation for better-sqlite3: one CLIENT span per executed statement
 * (`Statement#run/get/all/iterate`, `Database#exec`, the BEGIN/COMMIT/ROLLBACK statements of
 * `Database#transaction`, `Database#pragma`, and statements that fail to prepare), with the stable
 * database semantic conventions.
 *
 * It patches `Database.prototype` when `better-sqlite3` is required, and the native `Statement`
 * prototype the first time a statement is prepared (the native class is not exported).
 */
export class BetterSqlite3Instrumentation extends InstrumentationBase<BetterSqlite3InstrumentationConfig> {
  /** Per-statement span name and attributes, so the SQL is summarized once per statement. */
  private statementTelemetry = new WeakMap<object, StatementTelemetry>();
  /** Native `Statement` prototypes wrapped so far (one per loaded copy of the addon). */
  private readonly patchedStatementPrototypes = new Set<SqliteStatement>();

  constructor(config: BetterSqlite3InstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  /** Validates and applies the options; throws on an invalid `maxQueryTextLength`. */
  override setConfig(config: BetterSqlite3InstrumentationConfig = {}): void {
    const { maxQueryTextLength } = config;
    if (
      maxQueryTextLength !== undefined &&
      !(Number.isSafeInteger(maxQueryTextLength) && maxQueryTextLength > 0)
    ) {
      throw new Error(
        `BetterSqlite3Instrumentation: maxQueryTextLength must be a positive integer, got ${String(maxQueryTextLength)}; omit it to keep the whole query text.`,
      );
    }
    super.setConfig(config);
    // Cached attributes embed the (possibly truncated) query text: recompute them.
    this.statementTelemetry = new WeakMap();
  }

  protected override init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'better-sqlite3',
      SUPPORTED_VERSIONS,
      (moduleExports: unknown) => {
        this.patchDatabase(moduleExports);
        return moduleExports;
      },
      (moduleExports: unknown) => {
        this.unpatchDatabase(moduleExports);
      },
    );
  }

  private patchDatabase(moduleExports: unknown): void {
    const prototype = databasePrototypeOf(moduleExports);
    if (prototype === undefined) {
      this._diag.warn('better-sqlite3 exports no Database constructor; not instrumenting it');
      return;
    }
    const instrumentation = this;

    this._wrap(
      prototype,
      'prepare',
      (original) =>
        function tracedPrepare(this: SqliteDatabase): SqliteStatement {
          let statement: SqliteStatement;
          try {
            statement = Reflect.apply(original, this, arguments) as SqliteStatement;
          } catch (error) {
            instrumentation.recordFailedPrepare(this, arguments[0], error);
            throw error;
          }
          instrumentation.patchStatementPrototype(statement);
          return statement;
        },
    );

    this._wrap(
      prototype,
      'exec',
      (original) =>
        function tracedExec(this: SqliteDatabase, source: string): SqliteDatabase {
          const parent = instrumentation.tracingContext();
          if (parent === undefined || typeof source !== 'string') {
            return Reflect.apply(original, this, arguments) as SqliteDatabase;
          }
          const telemetry = instrumentation.describe(source, this.name);
          const span = instrumentation.tracer.startSpan(telemetry.spanName, telemetry.spanOptions, parent);
          try {
            return Reflect.apply(original, this, arguments) as SqliteDatabase;
          } catch (error) {
            recordFailure(span, error);
            throw error;
          } finally {
            span.end();
          }
        },
    );

    // A transaction function runs BEGIN/COMMIT statements that the native database prepares
    // without going through Database#prepare: make sure their prototype is patched first.
    this._wrap(
      prototype,
      'transaction',
      (original) =>
        function tracedTransaction(this: SqliteDatabase): unknown {
          if (instrumentation.patchedStatementPrototypes.size === 0) {
            try {
              this.prepare('SELECT 1');
            } catch {
              // A closed database: the original call below reports it.
            }
          }
          return Reflect.apply(original, this, arguments);
        },
    );
  }

  private unpatchDatabase(moduleExports: unknown): void {
    const prototype = databasePrototypeOf(moduleExports);
    if (prototype !== undefined) {
      for (const method of DATABASE_METHODS) {
        // eslint-disable-next-line @typescript-eslint/unbound-method -- only inspected, never called
        if (isWrapped(prototype[method])) this._unwrap(prototype, method);
      }
    }
    for (const statementPrototype of this.patchedStatementPrototypes) {
      for (const method of STATEMENT_METHODS) {
        // eslint-disable-next-line @typescript-eslint/unbound-method -- only inspected, never called
        if (isWrapped(statementPrototype[method])) this._unwrap(statementPrototype, method);
      }
    }
    this.patchedStatementPrototypes.clear();
  }

  private patchStatementPrototype(statement: SqliteStatement): void {
    const prototype = Object.getPrototypeOf(statement) as SqliteStatement | null;
    if (prototype === null || this.patchedStatementPrototypes.has(prototype)) return;
    this.patchedStatementPrototypes.add(prototype);
    this._wrap(prototype, 'run', (original) => this.traceExecution(original, 'run'));
    this._wrap(prototype, 'get', (original) => this.traceExecution(original, 'get'));
    this._wrap(prototype, 'all', (original) => this.traceExecution(original, 'all'));
    this._wrap(prototype, 'iterate', (original) => this.traceIterate(original));
  }

  private traceExecution<F extends AnyFunction>(original: F, method: ExecutionMethod): F {
    const instrumentation = this;
    return function tracedExecution(this: SqliteStatement): unknown {
      const parent = instrumentation.tracingContext();
      if (parent === undefined) return original.apply(this, arguments as unknown as unknown[]);
      const span = instrumentation.startStatementSpan(this, parent);
      try {
        const result: unknown = original.apply(this, arguments as unknown as unknown[]);
        if (method === 'all' && Array.isArray(result)) {
          span.setAttribute(ATTR_DB_RESPONSE_RETURNED_ROWS, result.length);
        } else if (method === 'get') {
          span.setAttribute(ATTR_DB_RESPONSE_RETURNED_ROWS, result === undefined ? 0 : 1);
        }
        return result;
      } catch (error) {
        recordFailure(span, error);
        throw error;
      } finally {
        span.end();
      }
    } as F;
  }

  /** `iterate()` runs the statement lazily: the span lasts until the iterator is exhausted,
   * returned (`break`) or fails, and counts the rows handed out. */
  private traceIterate<F extends AnyFunction>(original: F): F {
    const instrumentation = this;
    return function tracedIterate(this: SqliteStatement): unknown {
      const parent = instrumentation.tracingContext();
      if (parent === undefined) return original.apply(this, arguments as unknown as unknown[]);
      const span = instrumentation.startStatementSpan(this, parent);
      let iterator: Iterator<unknown>;
      try {
        iterator = original.apply(this, arguments as unknown as unknown[]) as Iterator<unknown>;
      } catch (error) {
        recordFailure(span, error);
        span.end();
        throw error;
      }
      return traceIteration(iterator, span);
    } as F;
  }

  /**
   * The context to parent a statement's span on, or `undefined` when this execution is not traced:
   * with `requireParentSpan`, when no recording span is active. Allocates nothing.
   */
  private tracingContext(): Context | undefined {
    const active = context.active();
    if (this._config.requireParentSpan === false) return active;
    const parent = trace.getSpan(active);
    return parent !== undefined && parent.isRecording() ? active : undefined;
  }

  private startStatementSpan(statement: SqliteStatement, parent: Context): Span {
    let telemetry = this.statementTelemetry.get(statement);
    if (telemetry === undefined) {
      telemetry = this.describe(statement.source, statement.database.name);
      this.statementTelemetry.set(statement, telemetry);
    }
    return this.tracer.startSpan(telemetry.spanName, telemetry.spanOptions, parent);
  }

  private recordFailedPrepare(database: SqliteDatabase, source: unknown, error: unknown): void {
    if (typeof source !== 'string') return;
    const parent = this.tracingContext();
    if (parent === undefined) return;
    const telemetry = this.describe(source, database.name);
    const span = this.tracer.startSpan(telemetry.spanName, telemetry.spanOptions, parent);
    recordFailure(span, error);
    span.end();
  }

  /** Span name and attributes of one SQL text on one database. */
  private describe(source: string, namespace: string): StatementTelemetry {
    const { operation, collection } = summarizeSql(source);
    const limit = this._config.maxQueryTextLength;
    const attributes: Attributes = {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_SQLITE,
      [ATTR_DB_QUERY_TEXT]: limit !== undefined && source.length > limit ? source.slice(0, limit) : source,
    };
    if (namespace !== '') attributes[ATTR_DB_NAMESPACE] = namespace;
    if (operation !== undefined) attributes[ATTR_DB_OPERATION_NAME] = operation;
    if (collection !== undefined) attributes[ATTR_DB_COLLECTION_NAME] = collection;
    const spanName =
      operation === undefined
        ? DB_SYSTEM_NAME_VALUE_SQLITE
        : collection === undefined
          ? operation
          : `${operation} ${collection}`;
    return { spanName, spanOptions: { kind: SpanKind.CLIENT, attributes } };
  }
}

/** The `Database.prototype` of better-sqlite3's exports, whether handed over by
 * require-in-the-middle (the constructor) or import-in-the-middle (a namespace with `default`). */
function databasePrototypeOf(moduleExports: unknown): SqliteDatabase | undefined {
  const candidate =
    typeof moduleExports === 'function'
      ? moduleExports
      : (moduleExports as { default?: unknown } | null | undefined)?.default;
  if (typeof candidate !== 'function') return undefined;
  const prototype: unknown = candidate.prototype;
  return typeof prototype === 'object' && prototype !== null && 'prepare' in prototype
    ? (prototype as SqliteDatabase)
    : undefined;
}

function* traceIteration(iterator: Iterator<unknown>, span: Span): Generator<unknown, unknown> {
  let rows = 0;
  let finished = false;
  try {
    for (;;) {
      const step = iterator.next();
      if (step.done === true) {
        finished = true;
        return step.value as unknown;
      }
      rows++;
      yield step.value;
    }
  } catch (error) {
    finished = true;
    recordFailure(span, error);
    throw error;
  } finally {
    // Stopped early (break, return()): release the statement, as the native iterator would.
    if (!finished) iterator.return?.();
    span.setAttribute(ATTR_DB_RESPONSE_RETURNED_ROWS, rows);
    span.end();
  }
}

/** Records a failed statement: SQLite errors carry their result code name (`SQLITE_BUSY`). */
function recordFailure(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    span.setAttribute(ATTR_ERROR_TYPE, code);
    span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, code);
  } else {
    span.setAttribute(ATTR_ERROR_TYPE, error instanceof Error ? error.name : '_OTHER');
  }
  if (error instanceof Error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.recordException(String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  }
}
