import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LabUnderTest, startBackendStandIns, startLabUnderTest } from '../testing/lab-under-test.js';
import { runLab } from '../testing/run-lab.js';
import { verify } from './verify.command.js';

describe('lab verify against a real task-api and a real Prometheus', () => {
  let lab: LabUnderTest;
  before(async () => {
    lab = await startLabUnderTest();
  });
  after(async () => {
    await lab?.stop();
  });

  it('passes requests, metrics and targets, reporting counts on its last line', async () => {
    const result = await runLab([
      'verify',
      '--url',
      lab.appUrl.href,
      '--prometheus-url',
      lab.prometheusUrl.href,
      '--only',
      'requests,metrics,targets',
      '--wait',
      '30',
    ]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /✔ requests: task \d+ created, read and deleted in trace [0-9a-f]{32}/);
    assert.match(result.stdout, /✔ metrics: http_requests_total\{POST \/api\/tasks, 201\} = \d+/);
    assert.match(result.stdout, /✔ targets: 1 targets up: task-api/);
    assert.match(result.stdout.trim().split('\n').at(-1)!, /^3 passed, 0 failed, 0 skipped$/);
  });

  it('fails the app check when the URL serves no UI, and exits 1 naming it', async () => {
    const result = await runLab(['verify', '--url', lab.appUrl.href, '--only', 'app', '--wait', '5']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /✖ app: GET \/ answered 404/);
    assert.match(result.stderr, /lab: 1 check\(s\) failed: app/);
  });

  it('traces, logs and Grafana pass through the Grafana datasource proxy (stand-in Tempo, Loki and Grafana APIs: their servers cannot run here)', async () => {
    const standIns = await startBackendStandIns(lab.receiver, lab.prometheusUrl, 's3cret');
    try {
      const result = await runLab(
        [
          'verify',
          '--url',
          lab.appUrl.href,
          '--grafana-url',
          standIns.grafanaUrl.href,
          '--only',
          'requests,traces,logs,metrics,targets,grafana',
          '--wait',
          '30',
        ],
        { ...process.env, GRAFANA_ADMIN_PASSWORD: 's3cret' },
      );
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(
        result.stdout,
        /✔ traces: \d+ spans: \d+ HTTP server span\(s\), \d+ database span\(s\) \(.*INSERT tasks/,
      );
      assert.match(result.stdout, /✔ logs: \d+ log line\(s\) with trace_id/);
      assert.match(
        result.stdout,
        /✔ grafana: datasources prometheus, tempo, loki and dashboards obslab-slo, obslab-tracing present/,
      );
    } finally {
      await standIns.stop();
    }
  });

  it('reports a trace that never arrives, with where to look (stand-in Tempo API)', async () => {
    const standIns = await startBackendStandIns({ ...lab.receiver, spans: [] }, lab.prometheusUrl, 'x');
    try {
      const reports = await verify(
        { app: lab.appUrl, tempo: standIns.tempoUrl },
        { only: ['requests', 'traces'], waitMs: 2000 },
      );
      const traces = reports.find((report) => report.name === 'traces')!;
      assert.equal(traces.status, 'failed');
      assert.match(traces.detail, /trace [0-9a-f]{32} is not in Tempo \(after waiting 2 s\)/);
      assert.match(traces.hint!, /otel-collector/);
    } finally {
      await standIns.stop();
    }
  });

  it('refuses Grafana without a password, and a check whose backend is not given, with exit code 2', async () => {
    const env = { ...process.env, GRAFANA_ADMIN_PASSWORD: '' };
    const noPassword = await runLab(
      ['verify', '--url', lab.appUrl.href, '--grafana-url', 'http://127.0.0.1:9'],
      env,
    );
    assert.equal(noPassword.code, 2);
    assert.match(noPassword.stderr, /GRAFANA_ADMIN_PASSWORD/);
    const noTempo = await runLab(['verify', '--url', lab.appUrl.href, '--only', 'traces'], env);
    assert.equal(noTempo.code, 2);
    assert.match(noTempo.stderr, /cannot run check "traces": no tempo URL and no Grafana/);
    const badUrl = await runLab(['verify', '--url', 'ftp://x']);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /not an http\(s\) URL/);
  });
});

describe('lab verify on a lab without tempo: its down target is reported, not failed', () => {
  it('passes targets with --without tempo, fails without it, and refuses the traces check or an unknown component (exit 2)', async () => {
    const lab = await startLabUnderTest(['tempo=127.0.0.1:9']);
    try {
      const args = ['verify', '--url', lab.appUrl.href, '--prometheus-url', lab.prometheusUrl.href];
      const without = await runLab([...args, '--only', 'targets', '--without', 'tempo', '--wait', '10']);
      assert.equal(without.code, 0, without.stdout + without.stderr);
      assert.match(
        without.stdout,
        /✔ targets: 1 targets up: task-api; 1 target\(s\) of tempo not checked \(--without\)/,
      );
      const strict = await runLab([...args, '--only', 'targets', '--wait', '5']);
      assert.equal(strict.code, 1);
      assert.match(strict.stdout, /✖ targets: 1 of 2 targets not up: tempo \(127\.0\.0\.1:9\): down/);
      const traces = await runLab([...args, '--only', 'traces', '--without', 'tempo']);
      assert.equal(traces.code, 2);
      assert.match(traces.stderr, /check "traces" cannot run on a lab --without tempo/);
      const unknown = await runLab([...args, '--without', 'task-api']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /--without: unknown component\(s\): task-api/);
    } finally {
      await lab.stop();
    }
  });
});

describe('lab verify with a scrape target down', () => {
  it('names the target that is not up and exits 1', async () => {
    const lab = await startLabUnderTest(['127.0.0.1:9']);
    try {
      const result = await runLab([
        'verify',
        '--url',
        lab.appUrl.href,
        '--prometheus-url',
        lab.prometheusUrl.href,
        '--only',
        'targets',
        '--wait',
        '10',
      ]);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /✖ targets: 1 of 2 targets not up: extra-0 \(127\.0\.0\.1:9\): down/);
    } finally {
      await lab.stop();
    }
  });
});
