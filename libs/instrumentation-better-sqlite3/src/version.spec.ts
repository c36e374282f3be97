import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

describe('instrumentation scope', () => {
  it('names the package and version that package.json declares', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      name: string;
      version: string;
    };
    assert.deepEqual({ name: PACKAGE_NAME, version: PACKAGE_VERSION }, manifest);
  });
});
