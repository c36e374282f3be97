/**
 * Pure, best-effort summary of one SQLite statement: its operation (first keyword) and the single
 * table it targets. Used for `db.operation.name`, `db.collection.name` and the span name.
 *
 * Not a SQL parser: a small tokenizer that understands comments, string literals and quoted
 * identifiers, so that keywords inside them are never mistaken for structure. When the text is
 * ambiguous the summary leaves a field `undefined` rather than guessing, as the database semantic
 * conventions ask (no collection for statements naming several tables, no operation for text
 * holding several statements).
 */

export interface SqlSummary {
  /** The statement's first keyword, uppercased (`SELECT`, `INSERT`, `PRAGMA`, `CREATE`…); for a
   * `WITH` query, the main statement's keyword. `undefined` for empty text or several statements. */
  readonly operation: string | undefined;
  /** The one table the statement names after FROM/JOIN/INTO/UPDATE/TABLE (or `CREATE INDEX … ON`),
   * unquoted, schema prefix kept (`main.tasks`). `undefined` when it names none or several. */
  readonly collection: string | undefined;
}

type TokenKind = 'word' | 'name' | 'literal' | 'punct';

interface Token {
  /** `word`: bare identifier or keyword; `name`: quoted or schema-qualified identifier. */
  readonly kind: TokenKind;
  readonly value: string;
  /** Parenthesis depth at which the token occurs. */
  readonly depth: number;
}

const EMPTY: SqlSummary = Object.freeze({ operation: undefined, collection: undefined });

/** Keywords that start the main statement of a `WITH` query. */
const MAIN_STATEMENTS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'VALUES']);

/** Keywords after which a table name follows. */
const TABLE_INTRODUCERS = new Set(['FROM', 'JOIN', 'INTO', 'UPDATE', 'TABLE']);

/** Bare words that can follow a table introducer without being a table (`DO UPDATE SET`, `INSERT
 * INTO t DEFAULT VALUES` is handled by INTO, `FROM (SELECT…)` is punctuation). */
const NOT_A_TABLE = new Set(['SELECT', 'VALUES', 'SET', 'WHERE', 'DEFAULT', 'IF', 'OR', 'WITH']);

/** Words that end a FROM clause's table list. */
const FROM_LIST_END = new Set([
  'WHERE',
  'GROUP',
  'ORDER',
  'LIMIT',
  'HAVING',
  'WINDOW',
  'UNION',
  'INTERSECT',
  'EXCEPT',
  'RETURNING',
  'JOIN',
  'INNER',
  'LEFT',
  'RIGHT',
  'FULL',
  'CROSS',
  'NATURAL',
  'ON',
  'USING',
]);

/** Summarizes one SQL text. Never throws; unparseable text yields `undefined` fields. */
export function summarizeSql(sql: string): SqlSummary {
  const tokens = tokenize(sql);
  const first = tokens[0];
  if (first === undefined || first.kind !== 'word' || holdsSeveralStatements(tokens)) return EMPTY;

  let operation = first.value.toUpperCase();
  if (operation === 'WITH') {
    const main = tokens.find(
      (t) => t.depth === 0 && t.kind === 'word' && MAIN_STATEMENTS.has(t.value.toUpperCase()),
    );
    if (main !== undefined) operation = main.value.toUpperCase();
  }
  return { operation, collection: singleCollection(tokens, operation) };
}

function holdsSeveralStatements(tokens: readonly Token[]): boolean {
  let sawTerminator = false;
  for (const token of tokens) {
    if (token.kind === 'punct' && token.value === ';' && token.depth <= 0) sawTerminator = true;
    else if (sawTerminator) return true;
  }
  return false;
}

function singleCollection(tokens: readonly Token[], operation: string): string | undefined {
  const names = new Set<string>();
  let sawIndex = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind !== 'word') continue;
    const keyword = token.value.toUpperCase();
    if (keyword === 'INDEX') sawIndex = true;
    const introducesTable =
      TABLE_INTRODUCERS.has(keyword) || (keyword === 'ON' && sawIndex && operation === 'CREATE');
    if (!introducesTable) continue;

    let j = i + 1;
    if (keyword === 'UPDATE' && isWord(tokens[j], 'OR')) j += 2; // UPDATE OR REPLACE t
    if (keyword === 'TABLE' && isWord(tokens[j], 'IF')) {
      j += isWord(tokens[j + 1], 'NOT') ? 3 : 2; // TABLE IF [NOT] EXISTS t
    }
    const candidate = tokens[j];
    if (candidate === undefined || !isTableName(candidate)) continue;
    names.add(candidate.value);
    if (keyword === 'FROM' && fromListHasSeveralTables(tokens, j + 1, candidate.depth)) return undefined;
    if (names.size > 1) return undefined;
  }
  return names.size === 1 ? names.values().next().value : undefined;
}

function isTableName(token: Token): boolean {
  if (token.kind === 'name') return true;
  return token.kind === 'word' && !NOT_A_TABLE.has(token.value.toUpperCase());
}

function isWord(token: Token | undefined, keyword: string): boolean {
  return token !== undefined && token.kind === 'word' && token.value.toUpperCase() === keyword;
}

/** `FROM a, b`: a comma at the FROM clause's depth before the clause ends. */
function fromListHasSeveralTables(tokens: readonly Token[], start: number, depth: number): boolean {
  for (let k = start; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.depth < depth) return false;
    if (token.depth > depth) continue;
    if (token.kind === 'punct' && token.value === ',') return true;
    if (token.kind === 'punct' && token.value === ';') return false;
    if (token.kind === 'word' && FROM_LIST_END.has(token.value.toUpperCase())) return false;
  }
  return false;
}

const IDENTIFIER_START = /[A-Za-z_\u0080-\uffff]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  const n = sql.length;

  const readQuoted = (close: string): string => {
    // i is on the opening quote; doubled closing quotes escape themselves ('it''s').
    let value = '';
    i++;
    while (i < n) {
      const c = sql[i]!;
      if (c === close) {
        if (close !== ']' && sql[i + 1] === close) {
          value += close;
          i += 2;
          continue;
        }
        i++;
        return value;
      }
      value += c;
      i++;
    }
    return value;
  };

  /** Reads one identifier part at i, or returns undefined if none starts there. */
  const readIdentifier = (): { value: string; quoted: boolean } | undefined => {
    const c = sql[i];
    if (c === undefined) return undefined;
    if (c === '"' || c === '`') return { value: readQuoted(c), quoted: true };
    if (c === '[') return { value: readQuoted(']'), quoted: true };
    if (!IDENTIFIER_START.test(c)) return undefined;
    const start = i;
    while (i < n && IDENTIFIER_PART.test(sql[i]!)) i++;
    return { value: sql.slice(start, i), quoted: false };
  };

  while (i < n) {
    const c = sql[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === "'") {
      readQuoted("'");
      tokens.push({ kind: 'literal', value: '', depth });
    } else if (c === '"' || c === '`' || c === '[' || IDENTIFIER_START.test(c)) {
      const parts = [readIdentifier()!];
      // Schema-qualified name: main.tasks, "main"."tasks".
      while (sql[i] === '.') {
        i++;
        const next = readIdentifier();
        if (next === undefined) break;
        parts.push(next);
      }
      const single = parts.length === 1 && !parts[0]!.quoted;
      tokens.push({
        kind: single ? 'word' : 'name',
        value: parts.map((p) => p.value).join('.'),
        depth,
      });
    } else if (c >= '0' && c <= '9') {
      while (i < n && /[0-9A-Za-z_.]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'literal', value: '', depth });
    } else if (c === '?' || c === ':' || c === '@' || c === '$') {
      // Bound parameter (?, ?1, :name, @name, $name): never a table.
      i++;
      while (i < n && IDENTIFIER_PART.test(sql[i]!)) i++;
      tokens.push({ kind: 'literal', value: '', depth });
    } else {
      if (c === ')') depth--;
      tokens.push({ kind: 'punct', value: c, depth });
      if (c === '(') depth++;
      i++;
    }
  }
  return tokens;
}
