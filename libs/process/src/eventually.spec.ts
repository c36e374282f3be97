import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually } from './eventually.js';

describe('eventually', () => {
  it('returns the value once the function stops throwing', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return 'done';
      },
      { intervalMs: 5 },
    );
    assert.equal(value, 'done');
    assert.equal(calls, 3);
  });

  it('rejects after the time limit naming the condition and the last error', async () => {
    await assert.rejects(
      eventually(
        () => {
          throw new Error('still broken');
        },
        { timeoutMs: 50, intervalMs: 10, description: 'the pod is ready' },
      ),
      (error: Error) =>
        /the pod is ready did not hold within 50 ms/.test(error.message) &&
        /still broken/.test(error.message),
    );
  });
});
