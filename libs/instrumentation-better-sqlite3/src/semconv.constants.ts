/**
 * The few OpenTelemetry semantic-convention names this instrumentation emits, defined locally so
 * that `@opentelemetry/semantic-conventions` need not be a dependency. Values are those of the
 * stable database conventions (semantic-conventions 1.45: `ATTR_DB_SYSTEM_NAME`,
 * `ATTR_DB_NAMESPACE`, `ATTR_DB_QUERY_TEXT`, `ATTR_DB_OPERATION_NAME`, `ATTR_DB_COLLECTION_NAME`,
 * `ATTR_DB_RESPONSE_STATUS_CODE`, `ATTR_ERROR_TYPE`, `DB_SYSTEM_NAME_VALUE_SQLITE`) plus
 * `db.response.returned_rows`, still development-status (`ATTR_DB_RESPONSE_RETURNED_ROWS` in the
 * incubating entry point). See https://opentelemetry.io/docs/specs/semconv/database/database-spans/.
 */

/** `db.system.name`: the DBMS product; always {@link DB_SYSTEM_NAME_VALUE_SQLITE} here. */
export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
/** `db.namespace`: the database file name or path as opened, or `:memory:`. */
export const ATTR_DB_NAMESPACE = 'db.namespace';
/** `db.query.text`: the SQL text as prepared, with its `?`/`:name` placeholders, never values. */
export const ATTR_DB_QUERY_TEXT = 'db.query.text';
/** `db.operation.name`: the statement's first keyword, uppercased. */
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
/** `db.collection.name`: the one table the statement names, when there is exactly one. */
export const ATTR_DB_COLLECTION_NAME = 'db.collection.name';
/** `db.response.status_code`: the SQLite extended result code name of a failed statement. */
export const ATTR_DB_RESPONSE_STATUS_CODE = 'db.response.status_code';
/** `db.response.returned_rows` (development status): rows returned by `all()`, `get()`, `iterate()`. */
export const ATTR_DB_RESPONSE_RETURNED_ROWS = 'db.response.returned_rows';
/** `error.type`: the SQLite result code name (`SQLITE_CONSTRAINT_UNIQUE`) or the error class name. */
export const ATTR_ERROR_TYPE = 'error.type';
/** The `db.system.name` value for SQLite. */
export const DB_SYSTEM_NAME_VALUE_SQLITE = 'sqlite';
