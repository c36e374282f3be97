import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeTaskCursor, encodeTaskCursor } from './task-cursor.js';

describe('task cursor', () => {
  it('decodes what it encodes', () => {
    const cursor = encodeTaskCursor({ created_at: '2026-11-30T11:55:19.240Z', id: 42 });
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeTaskCursor(cursor), { createdAt: '2026-11-30T11:55:19.240Z', id: 42 });
  });

  it('rejects text that is not a cursor it made', () => {
    const encode = (text: string) => Buffer.from(text).toString('base64url');
    for (const text of [
      '',
      'not a cursor',
      'a+b/c=',
      encode('2026-11-30T11:55:19.240Z'),
      encode('2026-11-30T11:55:19.240Z_'),
      encode('2026-11-30T11:55:19.240Z_-1'),
      encode('2026-11-30T11:55:19.240Z_2147483648'),
      encode('2026-11-30T11:55:19Z_1'),
      encode('2026-13-01T00:00:00.000Z_1'),
      encode('2026-02-30T00:00:00.000Z_1'),
      encode("2026-11-30T11:55:19.240Z_1' OR 1=1"),
      'x'.repeat(65),
    ]) {
      assert.equal(decodeTaskCursor(text), undefined, JSON.stringify(text));
    }
  });
});
