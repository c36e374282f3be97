import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabError, USAGE_EXIT_CODE } from '../lab.error.js';
import {
  atLeastOne,
  describeNumber,
  parseHttpUrl,
  parseListenAddress,
  parseNames,
  parseNumber,
  seconds,
  tcpPort,
} from './option.parsers.js';

const usage = (message: string | RegExp) => (error: unknown) =>
  error instanceof LabError &&
  error.exitCode === USAGE_EXIT_CODE &&
  (typeof message === 'string' ? error.message === message : message.test(error.message));

describe('lab option values', () => {
  it('describes each number rule in words', () => {
    assert.equal(describeNumber(seconds), 'a positive number of seconds');
    assert.equal(describeNumber(atLeastOne), 'a whole number of at least 1');
    assert.equal(describeNumber(tcpPort), 'a whole number from 1 to 65535');
    assert.equal(describeNumber({ unit: 'GiB' }), 'a positive number of GiB');
    assert.equal(describeNumber({ integer: true }), 'a positive whole number');
  });

  it('accepts numbers inside the rule, bounds included', () => {
    assert.equal(parseNumber('--wait', seconds, '0.5'), 0.5);
    assert.equal(parseNumber('--port', tcpPort, '1'), 1);
    assert.equal(parseNumber('--port', tcpPort, '65535'), 65535);
    assert.equal(parseNumber('--nodes', { integer: true, min: 0, max: 100 }, '0'), 0);
  });

  it('rejects a number outside the rule, naming the option, the rule and the value', () => {
    const cases: [string, Parameters<typeof parseNumber>[1], string, string][] = [
      ['--wait', seconds, '0', '--wait must be a positive number of seconds, got "0"'],
      ['--wait', seconds, 'soon', '--wait must be a positive number of seconds, got "soon"'],
      ['--wait', seconds, '', '--wait must be a positive number of seconds, got ""'],
      ['--wait', seconds, 'Infinity', '--wait must be a positive number of seconds, got "Infinity"'],
      ['--n', atLeastOne, '1.5', '--n must be a whole number of at least 1, got "1.5"'],
      ['--port', tcpPort, '65536', '--port must be a whole number from 1 to 65535, got "65536"'],
      ['--port', tcpPort, '0', '--port must be a whole number from 1 to 65535, got "0"'],
    ];
    for (const [flag, rule, value, message] of cases)
      assert.throws(() => parseNumber(flag, rule, value), usage(message), `${flag} ${value}`);
  });

  it('splits comma lists and checks them against their choices', () => {
    assert.deepEqual(parseNames('--services', ' a, b ,,c'), ['a', 'b', 'c']);
    const choices = { noun: 'check', names: ['app', 'logs'] as const };
    assert.deepEqual(parseNames('--only', 'logs,app', choices), ['logs', 'app']);
    assert.throws(
      () => parseNames('--only', 'app,tarces', choices),
      usage('--only: unknown check(s): tarces'),
    );
    assert.throws(
      () => parseNames('--only', ' , ', choices),
      usage('--only: unknown check(s): (none given)'),
    );
  });

  it('takes http(s) URLs only', () => {
    assert.equal(parseHttpUrl('--url', 'https://example.test:8080/x').port, '8080');
    assert.throws(
      () => parseHttpUrl('--url', 'ftp://example'),
      usage('--url: not an http(s) URL: ftp://example'),
    );
    assert.throws(() => parseHttpUrl('--url', 'nope'), usage(/not an http\(s\) URL: nope/));
  });

  it('takes a listen address as host:port, :port or off', () => {
    assert.deepEqual(parseListenAddress('--a', '127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListenAddress('--a', ':0'), { host: '0.0.0.0', port: 0 });
    assert.equal(parseListenAddress('--a', 'off'), false);
    for (const value of ['here', '127.0.0.1:70000', '127.0.0.1'])
      assert.throws(() => parseListenAddress('--a', value), usage(/^--a ".*": use host:port/), value);
  });
});
