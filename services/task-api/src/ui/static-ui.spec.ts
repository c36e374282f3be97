import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { runMain } from '../testing/service-process.js';
import { call, startTestApp, type TestApp } from '../testing/test-app.js';

/** A stand-in for services/frontend/dist/public: a page, a hashed asset, a dotfile. */
function fakeUiBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'obslab-ui-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>obslab tasks</title>');
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log("ui");');
  writeFileSync(join(dir, 'assets', 'gone-Zz9.js'), 'console.log("removed after start");');
  writeFileSync(join(dir, '.secret'), 'not served');
  return dir;
}

describe('UI_DIR configuration', () => {
  it('is off by default: the service serves only its API', () => {
    assert.equal(loadConfig({}).ui, null);
  });

  it('resolves a relative UI_DIR against the working directory and keeps GRAFANA_URL', () => {
    const built = fakeUiBuild();
    try {
      const config = loadConfig(
        { UI_DIR: basename(built), GRAFANA_URL: 'http://grafana.lab:3001' },
        dirname(built),
      );
      assert.deepEqual(config.ui, { dir: built, grafanaUrl: 'http://grafana.lab:3001' });
    } finally {
      rmSync(built, { recursive: true, force: true });
    }
  });

  it('rejects a UI_DIR without index.html, saying how to build the frontend', () => {
    const empty = mkdtempSync(join(tmpdir(), 'obslab-ui-empty-'));
    try {
      assert.throws(
        () => loadConfig({ UI_DIR: empty }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.problems[0] ===
            `UI_DIR=${JSON.stringify(empty)}: ${empty} has no index.html; build the frontend first (npx nx run frontend:build) or unset UI_DIR`,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('rejects a GRAFANA_URL that is not an http(s) URL', () => {
    assert.throws(
      () => loadConfig({ GRAFANA_URL: 'grafana:3001' }),
      /GRAFANA_URL="grafana:3001": must be a URL/,
    );
  });

  it('stops main.js with exit code 2 when UI_DIR does not exist', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'obslab-ui-main-'));
    try {
      const result = await runMain({ DATA_DIR: dataDir, UI_DIR: join(dataDir, 'missing') });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /UI_DIR=.*missing does not exist/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the UI served by task-api', () => {
  let uiDir: string;
  let app: TestApp;

  before(async () => {
    uiDir = fakeUiBuild();
    app = await startTestApp({ env: { UI_DIR: uiDir, GRAFANA_URL: 'http://grafana.lab:3001' } });
  });

  after(async () => {
    await app?.close();
    rmSync(uiDir, { recursive: true, force: true });
  });

  it('serves index.html at / without caching, and hashed assets cached for a year', async () => {
    const page = await fetch(`${app.baseUrl}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(await page.text(), /obslab tasks/);
    const asset = await fetch(`${app.baseUrl}/assets/index-AbC123.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  });

  it('answers HEAD and a revalidation (304) of a file, and a file removed since start with 404 never cached', async () => {
    const head = await fetch(`${app.baseUrl}/assets/index-AbC123.js`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.ok(Number(head.headers.get('content-length')) > 0);
    assert.equal(await head.text(), '');
    const etag = head.headers.get('etag');
    assert.ok(etag);
    // node:http rather than fetch, which adds `cache-control: no-cache` to a conditional request.
    const again = await new Promise<number | undefined>((resolve, reject) =>
      httpGet(`${app.baseUrl}/assets/index-AbC123.js`, { headers: { 'if-none-match': etag } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on('error', reject),
    );
    assert.equal(again, 304);
    const removed = join(uiDir, 'assets', 'gone-Zz9.js');
    assert.ok(existsSync(removed), 'the fake build has a file to remove');
    rmSync(removed);
    const gone = await fetch(`${app.baseUrl}/assets/gone-Zz9.js`);
    assert.equal(gone.status, 404);
    assert.equal(gone.headers.get('cache-control'), 'no-store');
  });

  it('serves /config.json without an OTLP path: the browser propagates trace context but exports nothing', async () => {
    const { status, body } = await call(app.baseUrl, 'GET', '/config.json');
    assert.equal(status, 200);
    assert.deepEqual(body, { otlpTracesPath: null, grafanaUrl: 'http://grafana.lab:3001' });
  });

  it('answers page paths with index.html but leaves missing assets, dotfiles and traversal at 404', async () => {
    const page = await fetch(`${app.baseUrl}/tasks/42`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /obslab tasks/);
    for (const path of ['/assets/missing-000.js', '/.secret', '/assets/..%2F..%2Fetc%2Fpasswd.js']) {
      const response = await fetch(`${app.baseUrl}${path}`);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(await response.text(), /not served|root:/, path);
    }
  });

  it('keeps the API, health, metrics and API docs answering as before', async () => {
    assert.equal((await call(app.baseUrl, 'POST', '/api/tasks', { title: 'with the UI on' })).status, 201);
    const list = await call(app.baseUrl, 'GET', '/api/tasks');
    assert.equal(list.status, 200);
    assert.equal(list.body.tasks[0].title, 'with the UI on');
    const unknown = await call(app.baseUrl, 'GET', '/api/nope');
    assert.equal(unknown.status, 404);
    assert.equal(typeof unknown.body.error, 'string', 'an unknown API path is a JSON error, not the page');
    assert.equal((await fetch(`${app.baseUrl}/health/live`)).status, 200);
    assert.equal((await fetch(`${app.baseUrl}/api/docs-json`)).status, 200);
    assert.match(await (await fetch(`${app.baseUrl}/api/docs`)).text(), /swagger/i);
  });

  it('labels the UI requests endpoint="static", never with their paths', async () => {
    await fetch(`${app.baseUrl}/`);
    await fetch(`${app.baseUrl}/assets/index-AbC123.js`);
    await fetch(`${app.baseUrl}/some/page`);
    await fetch(`${app.baseUrl}/api/tasks`);
    const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
    const endpoints = new Set(
      [...metrics.matchAll(/^http_requests_total\{[^}]*endpoint="([^"]*)"/gm)].map((match) => match[1]),
    );
    assert.ok(endpoints.has('static'), [...endpoints].join(', '));
    assert.ok(endpoints.has('/api/tasks'));
    for (const endpoint of endpoints) assert.doesNotMatch(endpoint ?? '', /assets|some\/page|index/);
  });
});
