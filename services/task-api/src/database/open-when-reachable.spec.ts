import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { isTransientConnectError, openWhenReachable } from './open-when-reachable.js';

const wrapped = (code: string) =>
  new Error('cannot open the postgres database', { cause: Object.assign(new Error(code), { code }) });
const dataSource = {} as DataSource;
const quiet = { warn: () => undefined };

describe('openWhenReachable', () => {
  it('retries while the server cannot be resolved or refuses, then returns the open data source', async () => {
    const failures = [wrapped('ENOTFOUND'), wrapped('ECONNREFUSED'), wrapped('57P03')];
    const pauses: number[] = [];
    let calls = 0;
    const opened = await openWhenReachable(
      () => {
        calls += 1;
        const failure = failures.shift();
        return failure ? Promise.reject(failure) : Promise.resolve(dataSource);
      },
      quiet,
      60_000,
      (ms) => {
        pauses.push(ms);
        return Promise.resolve();
      },
    );
    assert.equal(opened, dataSource);
    assert.equal(calls, 4);
    assert.deepEqual(pauses, [500, 1000, 2000]);
  });

  it('fails at once on an error that waiting cannot fix (a wrong password)', async () => {
    let calls = 0;
    await assert.rejects(
      openWhenReachable(
        () => {
          calls += 1;
          return Promise.reject(wrapped('28P01'));
        },
        quiet,
        60_000,
        () => Promise.resolve(),
      ),
      /cannot open the postgres database/,
    );
    assert.equal(calls, 1);
  });

  it('gives up with the last error once the wait is over', async () => {
    let calls = 0;
    await assert.rejects(
      openWhenReachable(
        () => {
          calls += 1;
          return Promise.reject(wrapped('ECONNREFUSED'));
        },
        quiet,
        1_200,
        () => Promise.resolve(),
      ),
      (error: Error) => (error.cause as { code: string }).code === 'ECONNREFUSED',
    );
    // Pauses of 0.5 s and 1 s fit in 1.2 s (the fake pause takes no time); a third of 2 s would not.
    assert.equal(calls, 3);
  });

  it('tells reachability errors from others', () => {
    assert.equal(isTransientConnectError(wrapped('EAI_AGAIN')), true);
    assert.equal(isTransientConnectError(new Error('timeout exceeded when trying to connect')), true);
    assert.equal(isTransientConnectError(wrapped('42P01')), false);
    assert.equal(isTransientConnectError(new Error('SQLITE_CANTOPEN')), false);
  });
});
