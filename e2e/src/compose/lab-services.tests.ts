// The compose lab's services: the images, health and start order, nginx, `lab verify`, Prometheus 3.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eventually, run } from '@obslab/process';
import { docker } from '../docker/docker.cli.js';
import { sinkService } from '../docker/otlp-sink.js';
import { type ComposeLab } from './compose-lab.setup.js';
import { imageOf, labJs, log, seconds, services, turnedOff } from './compose-suite.context.js';
import { prometheusApi } from './prometheus.api.js';

/** Registers these tests in the current describe; `lab()` is the running lab (set by its before hook). */
export function describeLabServices(lab: () => ComposeLab): void {
  it('runs the Collector and Prometheus images `lab images build` made, laid out like upstream (entrypoint, user, data dir)', async () => {
    const { project } = lab();
    const config = async (ref: string) =>
      JSON.parse((await docker(['image', 'inspect', '--format', '{{json .Config}}', ref])).stdout) as {
        Entrypoint: string[];
        User: string;
        WorkingDir: string;
        Labels: Record<string, string>;
      };
    const collector = await config(imageOf('otel-collector'));
    assert.deepEqual(collector.Entrypoint, ['/otelcol-contrib']);
    assert.equal(collector.User, '10001:10001');
    assert.equal(collector.Labels['dev.obslab.built-by'], 'lab-images-build');
    const prometheus = await config(imageOf('prometheus'));
    assert.deepEqual(prometheus.Entrypoint, ['/bin/prometheus']);
    assert.equal(prometheus.User, '65534:65534');
    assert.equal(prometheus.WorkingDir, '/prometheus');
    const version = await project.exec('prometheus', ['prometheus', '--version']);
    assert.match(
      version,
      new RegExp(`^prometheus, version ${imageOf('prometheus').split(':v')[1]!.replaceAll('.', '\\.')} `),
    );
  });

  it('returns from `up --wait` only with every started service healthy, the Collector through its health sidecar', async () => {
    const { project } = lab();
    for (const service of services.filter((name) => name !== sinkService)) {
      const health = await project.health(service);
      if (service === 'otel-collector')
        assert.equal(health, 'none', 'the upstream collector image has no healthcheck');
      else assert.equal(health, 'healthy', service);
    }
    const sidecar = await project.inspect('otel-collector-health');
    const passed = (sidecar.State.Health?.Log ?? []).filter((probe) => probe.ExitCode === 0);
    assert.ok(passed.length > 0, 'otel-collector-health never passed its probe');
  });

  it('starts the frontend only after a task-api health probe has passed', async () => {
    const { project } = lab();
    const api = await project.inspect('task-api');
    const frontend = await project.inspect('frontend');
    const passed = (api.State.Health?.Log ?? []).filter((probe) => probe.ExitCode === 0);
    assert.ok(passed.length > 0, `task-api has no passing health probe: ${JSON.stringify(api.State.Health)}`);
    const firstPass = Math.min(...passed.map((probe) => Date.parse(probe.End)));
    const frontendStarted = Date.parse(frontend.State.StartedAt);
    assert.ok(
      frontendStarted >= firstPass,
      `frontend started at ${frontend.State.StartedAt}, before task-api's first passing probe (${new Date(firstPass).toISOString()})`,
    );
    assert.ok(Date.parse(api.State.StartedAt) < frontendStarted);
    log(`frontend started ${seconds(frontendStarted - Date.parse(api.State.StartedAt))} after task-api`);
  });

  it('serves the UI and the API through nginx on the published loopback port', async () => {
    const { runId, baseUrl } = lab();
    const page = await fetch(`${baseUrl}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<!doctype html>/i);
    const title = `compose e2e ${runId}`;
    const created = await fetch(`${baseUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    assert.equal(created.status, 201);
    const listed = (await (await fetch(`${baseUrl}/api/tasks`)).json()) as { tasks: { title: string }[] };
    assert.ok(listed.tasks.some((task) => task.title === title));
  });

  it('passes `lab verify --only app,requests,metrics,targets` through nginx, with grafana, tempo and loki off', async () => {
    const { baseUrl, prometheusUrl } = lab();
    const { stdout } = await run(process.execPath, [
      labJs,
      'verify',
      '--url',
      baseUrl,
      '--prometheus-url',
      prometheusUrl,
      '--only',
      'app,requests,metrics,targets',
      '--without',
      turnedOff.join(','),
      '--wait',
      '120',
    ]);
    assert.match(stdout, /✔ app: UI served/);
    assert.match(stdout, /✔ requests: task \d+ created, read and deleted in trace [0-9a-f]{32}/);
    assert.match(stdout, /✔ metrics: http_requests_total\{POST \/api\/tasks, 201\} = \d+/);
    const targets = /✔ targets: 3 targets up: (.+); 3 target\(s\) of grafana, tempo, loki not checked/.exec(
      stdout,
    );
    assert.ok(targets, stdout);
    assert.deepEqual(targets[1]!.split(', ').sort(), ['otel-collector', 'prometheus', 'task-api']);
    assert.match(stdout.trim().split('\n').at(-1) ?? '', /^4 passed, 0 failed, 0 skipped$/);
  });

  it('runs Prometheus 3 with our config and rules: promtool passes in the image, exemplar storage and the remote-write receiver on, every target of a running service up', async () => {
    const { project, prometheusUrl } = lab();
    const checked = await project.exec('prometheus', [
      'promtool',
      'check',
      'config',
      '/etc/prometheus/prometheus.yml',
    ]);
    assert.match(checked, /SUCCESS: \d+ rule files found/);
    assert.match(checked, /SUCCESS: \d+ rules found/);
    const build = await prometheusApi<{ version: string }>(prometheusUrl, 'api/v1/status/buildinfo');
    assert.equal(`v${build.version}`, imageOf('prometheus').split(':')[1]);
    const flags = await prometheusApi<Record<string, string>>(prometheusUrl, 'api/v1/status/flags');
    assert.equal(flags['web.enable-remote-write-receiver'], 'true');
    assert.match(flags['enable-feature'] ?? '', /exemplar-storage/);
    // A malformed write is refused by the receiver (400), not unknown (404, receiver off).
    const write = await fetch(new URL('api/v1/write', prometheusUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
      body: 'not snappy',
    });
    assert.equal(write.status, 400, await write.text());
    const rules = await prometheusApi<{ groups: { name: string; rules: { health: string }[] }[] }>(
      prometheusUrl,
      'api/v1/rules',
    );
    assert.deepEqual(rules.groups.map((g) => g.name).sort(), ['slo-availability', 'slo-latency']);
    const targets = await eventually(
      async () => {
        const data = await prometheusApi<{
          activeTargets: { labels: { job: string }; health: string; lastError: string }[];
        }>(prometheusUrl, 'api/v1/targets', { state: 'active' });
        const byJob = Object.fromEntries(data.activeTargets.map((t) => [t.labels.job, t]));
        for (const job of ['task-api', 'otel-collector', 'prometheus'])
          assert.equal(byJob[job]?.health, 'up', `${job}: ${JSON.stringify(byJob[job])}`);
        for (const job of turnedOff) {
          assert.equal(byJob[job]?.health, 'down', `${job} is turned off: ${JSON.stringify(byJob[job])}`);
          assert.notEqual(byJob[job].lastError, '', `${job} is down without an error`);
        }
        return data.activeTargets;
      },
      { timeoutMs: 90_000, intervalMs: 2_000, description: 'every target of a running service is up' },
    );
    assert.equal(targets.length, 6);
  });
}
