// One definition of text that the service accepts and stores, shared by the validators, the
// OpenAPI document and the database constraints: length is counted in Unicode code points (what
// JSON Schema's maxLength, SQLite's length() and PostgreSQL's length() and varchar(n) count), and
// text must be storable as it was sent: no NUL (PostgreSQL's text cannot hold it) and no lone
// surrogate (UTF-8 cannot encode it: the drivers would store U+FFFD instead).

/** The number of Unicode code points of `text` (a surrogate pair counts once). */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        index++;
      }
    }
  }
  return length;
}

/** Why `text` cannot be stored as sent, or undefined when it can. */
export function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL (\\u0000) characters';
  if (!text.isWellFormed())
    return 'must not contain lone surrogates (\\ud800-\\udfff): send well-formed UTF-16';
  return undefined;
}

/**
 * The characters String.prototype.trim() removes, spelled out so that the document's patterns
 * mean the same in every regular-expression dialect (`\s` differs between JavaScript and Python).
 */
export const TRIMMED_WHITESPACE =
  '\\u0009-\\u000d\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/** The OpenAPI pattern of text without NUL characters. */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';

/**
 * The OpenAPI pattern of a title: 1 to `max` code points after trimming, without NUL characters.
 * Equivalent to the validators, so that the document is the exact contract.
 */
export function trimmedTextPattern(max: number): string {
  const space = `[${TRIMMED_WHITESPACE}]`;
  const visible = `[^${TRIMMED_WHITESPACE}\\u0000]`;
  return `^${space}*${visible}(?:[^\\u0000]{0,${max - 2}}${visible})?${space}*$`;
}
