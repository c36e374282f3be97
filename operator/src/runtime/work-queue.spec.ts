import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { type HandlerResult, WorkQueue } from './work-queue.js';

/** A promise with its resolve function outside, to hold a handler until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Waits until `condition` holds, polling every few milliseconds (fails after `timeoutMs`). */
async function until(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(2);
  }
}

describe('WorkQueue', () => {
  it('collects keys while paused and runs them once resumed', async () => {
    const calls: string[] = [];
    const queue = new WorkQueue(
      (key) => {
        calls.push(key);
        return Promise.resolve({});
      },
      { paused: true },
    );
    queue.add('a');
    queue.add('b');
    await sleep(20);
    assert.deepEqual(calls, [], 'nothing runs while paused');
    queue.resume();
    await until(() => calls.length === 2, 'both keys ran');
    queue.pause();
    queue.add('c');
    await sleep(20);
    assert.deepEqual(calls.sort(), ['a', 'b']);
    await queue.shutdown();
  });

  it('keeps the earlier of two delays for a key', async () => {
    const calls: number[] = [];
    const started = performance.now();
    const queue = new WorkQueue(() => {
      calls.push(performance.now() - started);
      return Promise.resolve({});
    });
    queue.addAfter('k', 2_000);
    queue.addAfter('k', 30);
    await until(() => calls.length === 1, 'the key ran after the short delay', 1_000);
    assert.ok(calls[0]! < 1_000, `ran after ${calls[0]} ms`);
    await queue.shutdown();
  });

  it('does not run a failed key again at once when it changed meanwhile: it waits for its backoff', async () => {
    const blocker = gate();
    const times: number[] = [];
    const queue = new WorkQueue(
      async () => {
        times.push(performance.now());
        if (times.length === 1) {
          await blocker.opened;
          throw new Error('boom');
        }
        return {};
      },
      { baseDelayMs: 150 },
    );
    queue.add('k');
    await until(() => times.length === 1, 'first pass started');
    queue.add('k'); // changed while processing
    blocker.open();
    await until(() => times.length === 2, 'retried', 2_000);
    assert.ok(
      times[1]! - times[0]! >= 140,
      `retried after ${(times[1]! - times[0]!).toFixed(0)} ms, not at once`,
    );
    await queue.shutdown();
  });

  it('runs a key queued many times while it waits only once', async () => {
    const blocker = gate();
    const calls: string[] = [];
    const depths: number[] = [];
    const queue = new WorkQueue(
      async (key) => {
        calls.push(key);
        if (key === 'first') await blocker.opened;
        return {};
      },
      { concurrency: 1, onDepth: (depth) => depths.push(depth) },
    );
    queue.add('first');
    for (let i = 0; i < 5; i++) queue.add('team-a/demo');
    assert.equal(queue.depth, 1);
    blocker.open();
    await queue.idle();
    assert.deepEqual(calls, ['first', 'team-a/demo']);
    assert.ok(Math.max(...depths) <= 1, `depth reached ${Math.max(...depths)}`);
    await queue.shutdown();
  });

  it('never runs one key on two workers at once, and runs it again after when it was added meanwhile', async () => {
    const blocker = gate();
    const active = new Set<string>();
    let overlapped = false;
    let runs = 0;
    const queue = new WorkQueue(
      async (key) => {
        if (active.has(key)) overlapped = true;
        active.add(key);
        runs++;
        if (runs === 1) await blocker.opened;
        active.delete(key);
        return {};
      },
      { concurrency: 4 },
    );
    queue.add('a');
    await until(() => runs === 1, 'the first run');
    queue.add('a');
    queue.add('a');
    await tick();
    assert.equal(runs, 1, 'a second worker took the key while the first was processing it');
    assert.equal(queue.depth, 0);
    blocker.open();
    await until(() => runs === 2, 'the second run');
    await queue.idle();
    assert.equal(runs, 2);
    assert.equal(overlapped, false);
    await queue.shutdown();
  });

  it('processes at most `concurrency` keys at once, and uses all of them', async () => {
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const queue = new WorkQueue(
      async (key) => {
        running++;
        most = Math.max(most, running);
        await sleep(10);
        running--;
        done.push(key);
        return {};
      },
      { concurrency: 2 },
    );
    for (let i = 0; i < 7; i++) queue.add(`key-${i}`);
    await queue.idle();
    assert.equal(most, 2);
    assert.equal(done.length, 7);
    await queue.shutdown();
  });

  it('retries a failing key with growing delays, and forgets its failures after a success', async () => {
    const base = 15;
    const times: number[] = [];
    const succeeded = gate();
    const queue = new WorkQueue(
      () => {
        times.push(performance.now());
        if (times.length <= 3) return Promise.reject(new Error('apply failed'));
        succeeded.open();
        return Promise.resolve({});
      },
      { baseDelayMs: base },
    );
    queue.add('a');
    await succeeded.opened;
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    assert.equal(gaps.length, 3);
    gaps.forEach((gap, index) => {
      assert.ok(gap >= base * 2 ** index - 2, `retry ${index + 1} came after ${gap.toFixed(1)} ms`);
    });
    assert.ok(gaps[2]! > gaps[0]!, `delays did not grow: ${gaps.map((g) => g.toFixed(1)).join(', ')}`);
    await queue.idle();
    assert.equal(queue.addRateLimited('a'), base, 'the failures were not forgotten after the success');
    await queue.shutdown();
  });

  it('doubles the backoff per failure up to maxDelayMs', async () => {
    const queue = new WorkQueue(() => Promise.resolve({}), { baseDelayMs: 100, maxDelayMs: 500 });
    const delays = Array.from({ length: 5 }, () => queue.addRateLimited('a'));
    assert.deepEqual(delays, [100, 200, 400, 500, 500]);
    queue.forget('a');
    assert.equal(queue.addRateLimited('a'), 100);
    assert.equal(queue.addRateLimited('b'), 100, 'b inherited the failures of a');
    await queue.shutdown();
  });

  it('runs a key again after the requeueAfterMs its handler asked for', async () => {
    const times: number[] = [];
    const again = gate();
    const queue = new WorkQueue((): Promise<HandlerResult> => {
      times.push(performance.now());
      if (times.length === 1) return Promise.resolve({ requeueAfterMs: 40 });
      again.open();
      return Promise.resolve({});
    });
    queue.add('a');
    await again.opened;
    assert.equal(times.length, 2);
    assert.ok(times[1]! - times[0]! >= 38, `ran again after ${(times[1]! - times[0]!).toFixed(1)} ms`);
    await queue.shutdown();
  });

  it('waits on shutdown for the keys in progress, then takes no more', async () => {
    const blocker = gate();
    let finished = false;
    let calls = 0;
    const queue = new WorkQueue(async () => {
      calls++;
      await blocker.opened;
      finished = true;
      return {};
    });
    queue.add('a');
    await until(() => calls === 1, 'the first run');
    let shutDown = false;
    const stopping = queue.shutdown().then(() => (shutDown = true));
    await sleep(20);
    assert.equal(shutDown, false, 'shutdown resolved while a key was still being processed');
    blocker.open();
    await stopping;
    assert.equal(finished, true);
    queue.add('b');
    queue.addAfter('c', 1);
    await sleep(10);
    assert.equal(calls, 1);
    assert.equal(queue.depth, 0);
  });

  it('drops keys waiting on a delay at shutdown', async () => {
    let calls = 0;
    const queue = new WorkQueue(() => {
      calls++;
      return Promise.resolve({});
    });
    queue.addAfter('a', 20);
    await queue.shutdown();
    await sleep(40);
    assert.equal(calls, 0);
  });
});
