import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  type SqlSummary,
  summarizeSql,
} from '@obslab/instrumentation-better-sqlite3';
import type { Span } from '@opentelemetry/api';

const MAX_CACHED = 512;
const summaries = new Map<string, SqlSummary>();

function summaryOf(text: string): SqlSummary {
  let summary = summaries.get(text);
  if (!summary) {
    if (summaries.size >= MAX_CACHED) summaries.clear();
    summary = summarizeSql(text);
    summaries.set(text, summary);
  }
  return summary;
}

/**
 * Completes the pg instrumentation's spans with what its stable-semconv output lacks:
 * `db.operation.name`, `db.collection.name` and the `{operation} {collection}` span name, from
 * the same SQL summary the better-sqlite3 instrumentation uses, so both databases read alike.
 */
export function annotatePgQuery(span: Span, info: { query: { text: string } }): void {
  const { operation, collection } = summaryOf(info.query.text);
  if (operation) span.setAttribute(ATTR_DB_OPERATION_NAME, operation);
  if (collection) span.setAttribute(ATTR_DB_COLLECTION_NAME, collection);
  if (operation) span.updateName(collection ? `${operation} ${collection}` : operation);
}
