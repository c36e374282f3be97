import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSubset, sameQuantity } from './subset.js';

describe('isSubset', () => {
  it('ignores fields the API server or other managers added', () => {
    const desired = { metadata: { name: 'a', labels: { app: 'x' } }, spec: { replicas: 2 } };
    const observed = {
      metadata: { name: 'a', uid: 'u', resourceVersion: '7', labels: { app: 'x', extra: 'y' } },
      spec: { replicas: 2, revisionHistoryLimit: 10 },
      status: { readyReplicas: 2 },
    };
    assert.equal(isSubset(desired, observed), true);
  });

  it('fails when a desired key is missing from the observed object', () => {
    assert.equal(isSubset({ spec: { replicas: 2 } }, { spec: {} }), false);
    assert.equal(isSubset({ metadata: { labels: { app: 'x' } } }, { metadata: {} }), false);
  });

  it('fails when a desired value differs', () => {
    assert.equal(isSubset({ spec: { replicas: 2 } }, { spec: { replicas: 3 } }), false);
    assert.equal(isSubset({ enabled: true }, { enabled: 'true' }), false);
    assert.equal(isSubset({ a: null }, { a: {} }), false);
    assert.equal(isSubset({ a: {} }, { a: null }), false);
    assert.equal(isSubset({ a: {} }, { a: [] }), false);
  });

  it('ignores desired keys whose value is undefined', () => {
    assert.equal(isSubset({ a: 1, b: undefined }, { a: 1 }), true);
  });

  it('requires arrays to have the same length', () => {
    assert.equal(isSubset({ args: ['a', 'b'] }, { args: ['a', 'b'] }), true);
    assert.equal(isSubset({ args: ['a'] }, { args: ['a', 'b'] }), false);
    assert.equal(isSubset({ args: ['a', 'b'] }, { args: ['a'] }), false);
    assert.equal(isSubset({ args: [] }, { args: {} }), false);
  });

  it('compares arrays element by element, in order, each element as a subset', () => {
    const desired = { containers: [{ name: 'app', image: 'x:1' }] };
    assert.equal(
      isSubset(desired, { containers: [{ name: 'app', image: 'x:1', imagePullPolicy: 'IfNotPresent' }] }),
      true,
    );
    assert.equal(isSubset(desired, { containers: [{ name: 'app', image: 'x:2' }] }), false);
    assert.equal(isSubset({ args: ['a', 'b'] }, { args: ['b', 'a'] }), false);
  });

  it('treats quantities spelled differently as equal', () => {
    assert.equal(isSubset({ cpu: '1000m' }, { cpu: '1' }), true);
    assert.equal(isSubset({ memory: '1Gi' }, { memory: '1024Mi' }), true);
    assert.equal(isSubset({ memory: '1024Mi' }, { memory: '1Gi' }), true);
    assert.equal(isSubset({ cpu: '0.5' }, { cpu: '500m' }), true);
    assert.equal(isSubset({ storage: '1k' }, { storage: '1000' }), true);
  });

  it('treats different quantities as different', () => {
    assert.equal(isSubset({ cpu: '500m' }, { cpu: '1' }), false);
    assert.equal(isSubset({ memory: '1G' }, { memory: '1Gi' }), false);
    assert.equal(isSubset({ memory: '1Gi' }, { memory: '1023Mi' }), false);
  });

  it('compares strings that are not quantities exactly', () => {
    assert.equal(isSubset({ image: 'nginx:1.27' }, { image: 'nginx:1.27' }), true);
    assert.equal(isSubset({ image: 'nginx:1.27' }, { image: 'nginx:1.28' }), false);
    assert.equal(isSubset({ policy: 'Always' }, { policy: 'always' }), false);
    assert.equal(isSubset({ port: '80' }, { port: 80 }), false);
    assert.equal(isSubset({ name: '1x' }, { name: '1' }), false);
  });
});

describe('sameQuantity', () => {
  it('is false when either side is not a quantity', () => {
    assert.equal(sameQuantity('1', 'one'), false);
    assert.equal(sameQuantity('', '0'), false);
    assert.equal(sameQuantity('1Gb', '1G'), false);
  });
});
