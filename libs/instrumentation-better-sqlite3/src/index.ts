export {
  BetterSqlite3Instrumentation,
  type BetterSqlite3InstrumentationConfig,
} from './better-sqlite3.instrumentation.js';
export {
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
export { summarizeSql, type SqlSummary } from './sql-summary.js';
