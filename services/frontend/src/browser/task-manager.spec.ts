import { eventually } from '@obslab/process';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '@obslab/testing';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type NginxServer, startNginxInFront } from '../testing/nginx.harness.js';
import { requestLines, startTaskApi, type TaskApiProcess, UI_DIST } from '../testing/task-api.process.js';

const CHROMIUM = process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium';
const SCREENSHOT_DIR = process.env['OBSLAB_SCREENSHOT_DIR'] ?? tmpdir();

/** Chromium as the lab tests run it: headless, sandbox off (root in CI), nothing fetched in the background. */
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** What a page did that a test should know about: CSP violations, console errors, traceparents sent. */
interface PageRecorder {
  readonly cspViolations: string[];
  readonly consoleErrors: string[];
  readonly traceparents: Map<string, string>;
}

async function openPage(browser: Browser, baseUrl: string): Promise<{ page: Page; recorder: PageRecorder }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  const recorder: PageRecorder = { cspViolations: [], consoleErrors: [], traceparents: new Map() };
  await page.exposeFunction('reportCspViolation', (text: string) => recorder.cspViolations.push(text));
  // Runs in the page before its own scripts (injected over CDP, so the page's CSP does not apply to it).
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => window.reportCspViolation(e.violatedDirective + ' blocked ' + e.blockedURI));",
  );
  page.on('console', (message) => {
    if (message.type() === 'error') recorder.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => recorder.consoleErrors.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    const traceparent = request.headers()['traceparent'];
    if (traceparent)
      recorder.traceparents.set(`${request.method()} ${new URL(request.url()).pathname}`, traceparent);
  });
  await page.goto(baseUrl);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
  return { page, recorder };
}

async function totals(page: Page): Promise<{ all: string; completed: string; pending: string }> {
  return {
    all: (await page.locator('#total-all').textContent()) ?? '',
    completed: (await page.locator('#total-completed').textContent()) ?? '',
    pending: (await page.locator('#total-pending').textContent()) ?? '',
  };
}

/** The trace id the page shows for its last task action. */
async function lastTraceId(page: Page): Promise<string> {
  const traceId = await page.locator('#status').getAttribute('data-trace-id');
  assert.match(traceId ?? '', /^[0-9a-f]{32}$/);
  return traceId!;
}

describe('the task manager in Chromium, behind nginx, traced end to end', () => {
  let receiver: OtlpReceiver;
  let api: TaskApiProcess;
  let nginx: NginxServer;
  let browser: Browser;

  before(async () => {
    receiver = await startOtlpReceiver();
    api = await startTaskApi();
    nginx = await startNginxInFront(api.baseUrl, receiver.endpoint);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await nginx?.stop();
    await api?.stop();
    await receiver?.close();
  });

  it('adds, completes, edits and deletes a task; each action is one trace from the browser to the database', async () => {
    const { page, recorder } = await openPage(browser, nginx.baseUrl);
    assert.equal(
      await page.locator('#grafana-link').getAttribute('href'),
      'http://grafana.example.test:3001',
    );
    assert.ok(await page.locator('#grafana-link').isVisible(), 'a configured Grafana gets its link');
    assert.match(await page.locator('#telemetry-where').innerText(), /through nginx .* on to Tempo/);
    assert.deepEqual(await totals(page), { all: '0', completed: '0', pending: '0' });
    assert.ok(await page.locator('#loading').isHidden(), 'no loading note once the tasks are in');

    await page.getByLabel('Title', { exact: true }).fill('Write the runbook');
    await page.getByLabel(/Description/).fill('Link every alert to it.');
    await page.getByRole('button', { name: 'Add task' }).click();
    await page.getByText('Write the runbook', { exact: true }).waitFor();
    await eventually(async () =>
      assert.deepEqual(await totals(page), { all: '1', completed: '0', pending: '1' }),
    );
    const createTrace = await lastTraceId(page);

    await page.getByRole('checkbox', { name: 'Write the runbook' }).check();
    await eventually(async () =>
      assert.deepEqual(await totals(page), { all: '1', completed: '1', pending: '0' }),
    );
    await eventually(async () =>
      assert.match((await page.locator('#status').textContent()) ?? '', /Completed/),
    );
    const toggleTrace = await lastTraceId(page);
    assert.notEqual(toggleTrace, createTrace);

    // The browser sent traceparent with this action's trace id; task-api continued that trace.
    const sent = recorder.traceparents.get('POST /api/tasks');
    assert.ok(sent, `traceparent on POST /api/tasks; sent: ${JSON.stringify([...recorder.traceparents])}`);
    assert.equal(sent.split('-')[1], createTrace);
    await eventually(() => {
      const lines = requestLines(api.logs());
      assert.ok(
        lines.some(
          (l) => l['trace_id'] === createTrace && l['route'] === '/api/tasks' && l['method'] === 'POST',
        ),
      );
      assert.ok(
        lines.some(
          (l) => l['trace_id'] === toggleTrace && l['route'] === '/api/tasks/:id' && l['method'] === 'PUT',
        ),
      );
    });
    // nginx logged the same trace id.
    assert.ok(nginx.accessLog().some((line) => line['trace_id'] === toggleTrace && line['method'] === 'PUT'));

    // The browser's spans reached the collector through nginx's same-origin /otlp/v1/traces.
    const spans = await eventually(
      () => {
        const action = receiver.spans.find(
          (span) => span.name === 'task.toggle' && span.traceId === toggleTrace,
        );
        assert.ok(action, `task.toggle span; got ${receiver.spans.map((s) => s.name).join(', ')}`);
        const fetches = receiver.spans.filter(
          (span) => span.traceId === toggleTrace && span.parentSpanId === action.spanId && span.kind === 3,
        );
        assert.ok(fetches.length >= 2, 'the PUT and the reload are CLIENT children of the action');
        return { action, fetches };
      },
      { timeoutMs: 15_000 },
    );
    assert.equal(spans.action.resource['service.name'], 'frontend');
    assert.equal(spans.action.attributes['task.completed'], true);

    await page.screenshot({ path: join(SCREENSHOT_DIR, 'obslab-frontend-tasks.png'), fullPage: true });

    await page.getByRole('button', { name: 'Edit “Write the runbook”' }).click();
    await page.getByLabel('Title', { exact: true }).nth(1).fill('Write the SLO runbook');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Write the SLO runbook', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Delete “Write the SLO runbook”' }).click();
    await eventually(async () =>
      assert.deepEqual(await totals(page), { all: '0', completed: '0', pending: '0' }),
    );
    await page.getByText('No tasks yet').waitFor();

    assert.deepEqual(recorder.cspViolations, [], 'the page runs under its Content-Security-Policy');
    assert.deepEqual(recorder.consoleErrors, []);
    await page.context().close();
  });

  it('shows the results of the telemetry buttons, the failure marked as an error span', async () => {
    const { page, recorder } = await openPage(browser, nginx.baseUrl);
    const result = page.locator('#telemetry-result');

    await page.getByRole('button', { name: 'Simulate an error' }).click();
    await eventually(async () => assert.match((await result.textContent()) ?? '', /status 500/));
    const errorTrace = (await result.getAttribute('data-trace-id')) ?? '';

    await page.getByRole('button', { name: /Database smoke test/ }).click();
    await eventually(async () => assert.match((await result.textContent()) ?? '', /reads and \d+ writes in/));

    await page.getByRole('button', { name: /Slow request/ }).click();
    await eventually(async () => assert.match((await result.textContent()) ?? '', /responded after 2 s/), {
      timeoutMs: 10_000,
    });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'obslab-frontend-telemetry.png'), fullPage: true });

    const failed: ReceivedSpan = await eventually(
      () => {
        const span = receiver.spans.find((s) => s.name === 'simulate.error' && s.traceId === errorTrace);
        assert.ok(span);
        return span;
      },
      { timeoutMs: 15_000 },
    );
    assert.equal(failed.status.code, 2, 'the action span has status ERROR');
    await eventually(() =>
      assert.ok(
        requestLines(api.logs()).some((line) => line['trace_id'] === errorTrace && line['status'] === 500),
      ),
    );
    assert.deepEqual(recorder.cspViolations, []);
    // Chromium reports the expected 500 itself; nothing else may fail.
    assert.deepEqual(
      recorder.consoleErrors.filter((text) => !/status of 500/.test(text)),
      [],
    );
    await page.context().close();
  });
});

describe('the task manager served by task-api (npm start)', () => {
  let api: TaskApiProcess;
  let browser: Browser;

  before(async () => {
    api = await startTaskApi({ UI_DIR: UI_DIST });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await api?.stop();
  });

  it('works without nginx: traceparent still reaches the API although nothing is exported', async () => {
    const { page, recorder } = await openPage(browser, api.baseUrl);
    // No Grafana runs under npm start: no link to a port where nothing listens, and the page says
    // where its traces go (nowhere, until the whole lab runs).
    assert.ok(await page.locator('#grafana-link').isHidden(), 'no Grafana link without a Grafana URL');
    assert.match(await page.locator('#telemetry-where').innerText(), /nothing is exported here.*npx lab up/);
    // Until the first fetch returns the page says it is loading, instead of showing dashes.
    const html = await (await fetch(api.baseUrl)).text();
    assert.match(html, /<p id="loading" class="muted">Loading tasks…<\/p>/);
    assert.match(html, /<dl class="totals" id="totals" aria-live="polite" aria-busy="true">/);
    assert.ok(await page.locator('#loading').isHidden(), 'the loading note goes once the tasks are in');
    assert.equal(await page.locator('#totals').getAttribute('aria-busy'), null);
    await page.getByLabel('Title', { exact: true }).fill('Served by task-api');
    await page.getByRole('button', { name: 'Add task' }).click();
    await eventually(async () =>
      assert.deepEqual(await totals(page), { all: '1', completed: '0', pending: '1' }),
    );
    const traceId = await lastTraceId(page);
    await eventually(() =>
      assert.ok(
        requestLines(api.logs()).some((line) => line['trace_id'] === traceId && line['method'] === 'POST'),
      ),
    );
    assert.ok(![...recorder.traceparents.keys()].some((key) => key.includes('/otlp/')));
    assert.deepEqual(recorder.consoleErrors, []);
    await page.context().close();
  });
});
