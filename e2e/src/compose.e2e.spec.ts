// The suites on a real dockerd: the compose lab (the committed compose/compose.yaml with the images
// `lab images build` makes here, since no registry is reachable) and the operator's image. The
// telemetry chain runs whole up to the interfaces of Tempo and Loki, whose images cannot be built
// here (AGPL): the override turns grafana, tempo and loki off and points the Collector's Tempo and
// Loki exporters at an in-test OTLP sink on the compose network; nothing else of the committed file
// changes. Both suites share one dockerd, started when none runs and stopped after the last suite:
// node --test runs spec files in parallel processes, so a second file starting its own dockerd
// would clash with this one. Skipped locally when Docker cannot run; fails when CI=true.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPromqlExpressions, type PromqlExpression } from '@obslab/dashboards';
import {
  defaultOperatorImage,
  desiredState,
  operatorManifests,
  type ObservabilityLab,
} from '@obslab/operator';
import { eventually, freePort, run } from '@obslab/process';
import { componentOf, formatImageRef, workspaceStack } from '@obslab/stack';
import { type OtlpReceiver, type ReceivedSpan, SpanKinds, startOtlpReceiver } from '@obslab/testing';
import { chromium } from 'playwright-core';
import { stringify } from 'yaml';
import { ComposeProject } from './docker/compose.project.js';
import {
  type DockerDaemon,
  docker,
  dockerSkipReason,
  ensureComposeV2,
  ensureDockerd,
} from './docker/docker.cli.js';
import { sinkConfigYaml, sinkEndpoints, sinkService } from './docker/otlp-sink.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const composeFile = join(root, 'compose/compose.yaml');
const labJs = fileURLToPath(import.meta.resolve('@obslab/lab/bin/lab.js'));
const stack = workspaceStack(root);
const imageOf = (name: Parameters<typeof componentOf>[1]) =>
  formatImageRef(componentOf(stack, name).image.image);
const skip = dockerSkipReason();
const log = (line: string) => console.error(`# ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Components the suite turns off: their images are AGPL-licensed and not built here. */
const turnedOff = ['grafana', 'tempo', 'loki'] as const;
/** What runs: every other service of the default (SQLite) lab, the Collector's health sidecar, the sink. */
const services = [
  'frontend',
  'task-api',
  'otel-collector',
  'otel-collector-health',
  'prometheus',
  sinkService,
];

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const value = await fn();
  log(`${what}: ${seconds(Date.now() - started)}`);
  return value;
}

let daemon: Promise<DockerDaemon> | undefined;
/** The dockerd of every suite in this file: the first call starts one if none runs. */
function dockerd(): Promise<DockerDaemon> {
  daemon ??= timed('dockerd ready', () => ensureDockerd(log));
  return daemon;
}

let images: Promise<void> | undefined;
/** `lab images build` (every image, once per run): the real CLI, as a user runs it. */
function labImagesBuild(): Promise<void> {
  images ??= timed('lab images build', async () => {
    const { stdout, stderr } = await run(process.execPath, [labJs, 'images', 'build'], {
      cwd: root,
      timeoutMs: 45 * 60_000,
    });
    for (const line of stderr.trimEnd().split('\n')) log(line);
    for (const line of stdout.trimEnd().split('\n')) log(line);
  });
  return images;
}

/** GET a Prometheus API path on the container's address (on the network this suite created) and parse JSON. */
async function prometheusApi<T>(base: string, path: string, query: Record<string, string> = {}): Promise<T> {
  const url = new URL(path, base);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  assert.equal(response.status, 200, `${url.pathname}: ${body.slice(0, 500)}`);
  return (JSON.parse(body) as { data: T }).data;
}

type Sample = { metric: Record<string, string>; value: [number, string] };
const instantQuery = (base: string, query: string) =>
  prometheusApi<{ result: Sample[] }>(base, 'api/v1/query', { query });

/** Mixed traffic through nginx until stopped: successes, 5xx errors and requests slower than the 300 ms SLO bucket. */
function startTraffic(baseUrl: string): {
  stop(): Promise<{ sent: number; statuses: Record<number, number> }>;
} {
  let running = true;
  const statuses: Record<number, number> = {};
  let sent = 0;
  const hit = async (path: string, init?: RequestInit) => {
    try {
      const response = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    } catch {
      statuses[0] = (statuses[0] ?? 0) + 1;
    }
    sent++;
  };
  const loop = (async () => {
    while (running) {
      const round = Date.now();
      await Promise.all([
        hit('/api/tasks', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: `traffic ${round}` }),
        }),
        hit('/api/tasks?limit=5'),
        hit('/api/simulate-error'),
        hit('/api/simulate-slow?delay=0.35'),
        hit('/api/simulate-slow?delay=0.35'),
        hit('/api/tasks/999999999'),
      ]);
      await new Promise((done) => setTimeout(done, Math.max(0, 1000 - (Date.now() - round))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { sent, statuses };
    },
  };
}

// One describe around the suites so that node:test awaits stopping dockerd (a file-level after
// hook is not awaited once nothing else keeps the process alive).
describe('on a real dockerd', { skip, timeout: 80 * 60_000 }, () => {
  after(
    async () => {
      const started = await daemon?.catch(() => undefined);
      if (started?.startedHere) await timed('dockerd stopped', () => started.stop());
    },
    { timeout: 60_000 },
  );

  describe(
    'the compose lab on a real dockerd, telemetry chain whole: frontend, task-api, the Collector and Prometheus 3 from `lab images build`; grafana, tempo and loki turned off (AGPL images not built here), the Collector exporting to an in-test OTLP sink in their place',
    { timeout: 60 * 60_000 },
    () => {
      const suiteStarted = Date.now();
      const runId = randomBytes(3).toString('hex');
      const workDir = mkdtempSync(join(tmpdir(), 'obslab-compose-e2e-'));
      let project: ComposeProject;
      let baseUrl: string;
      let prometheusUrl: string;
      /** What reached the Tempo and Loki endpoints, relayed by the sink. */
      let receiver: OtlpReceiver | undefined;
      const service = (span: ReceivedSpan) => {
        const name = span.resource['service.name'];
        return typeof name === 'string' ? name : '';
      };

      before(
        async () => {
          await dockerd();
          const dockerConfig = await timed('compose v2 ready (scripts/ensure-compose.sh)', () =>
            ensureComposeV2(root),
          );
          await labImagesBuild();

          // The container user of the sink must read its config: the temp dir is 0700 by default.
          chmodSync(workDir, 0o755);
          const sinkConfig = join(workDir, 'sink.yaml');
          writeFileSync(sinkConfig, '', { mode: 0o644 }); // written below, once the network exists
          // Only the Collector's Tempo and Loki endpoints change, and the sink is added.
          const override = join(workDir, 'compose.telemetry-sink.yaml');
          writeFileSync(
            override,
            stringify({
              services: {
                'otel-collector': { environment: { ...sinkEndpoints } },
                [sinkService]: {
                  image: imageOf('otel-collector'),
                  command: ['--config=/etc/otelcol/sink.yaml'],
                  user: '10001:10001',
                  read_only: true,
                  cap_drop: ['ALL'],
                  volumes: [`${sinkConfig}:/etc/otelcol/sink.yaml:ro`],
                },
              },
            }),
          );
          const frontendPort = await freePort();
          const envFile = join(workDir, 'test.env');
          writeFileSync(
            envFile,
            [
              `GRAFANA_ADMIN_PASSWORD=${randomBytes(12).toString('hex')}`,
              'LAB_BIND_ADDRESS=127.0.0.1',
              `FRONTEND_PORT=${frontendPort}`,
              `GRAFANA_PORT=${await freePort()}`,
              '',
            ].join('\n'),
            { mode: 0o600 },
          );
          project = new ComposeProject({
            name: `obslab-e2e-${runId}`,
            files: [composeFile, override],
            envFile,
            ...(dockerConfig ? { dockerConfig } : {}),
          });
          baseUrl = `http://127.0.0.1:${frontendPort}`;
          // Create the project's network first: the in-test receiver listens on its gateway.
          await project.compose(['up', '--no-start', '--no-build', '--pull', 'never', ...services]);
          const { stdout: gateway } = await docker([
            'network',
            'inspect',
            '--format',
            '{{(index .IPAM.Config 0).Gateway}}',
            `${project.props.name}_default`,
          ]);
          receiver = await startOtlpReceiver({ host: gateway.trim() });
          writeFileSync(sinkConfig, sinkConfigYaml(receiver.endpoint));
          log(`OTLP receiver for the Tempo and Loki endpoints: ${receiver.endpoint}`);
          await timed(`compose up --wait ${services.join(' ')}`, () => project.up(services));
          const address = Object.values((await project.inspect('prometheus')).NetworkSettings.Networks)[0]
            ?.IPAddress;
          assert.ok(address, 'prometheus has no address on the compose network');
          prometheusUrl = `http://${address}:9090/`;
        },
        { timeout: 55 * 60_000 },
      );

      after(
        async () => {
          try {
            if (project) await timed('compose down --volumes', () => project.down({ volumes: true }));
          } finally {
            await receiver?.close();
            rmSync(workDir, { recursive: true, force: true });
            log(`suite: ${seconds(Date.now() - suiteStarted)}`);
          }
        },
        { timeout: 120_000 },
      );

      it('runs the Collector and Prometheus images `lab images build` made, laid out like upstream (entrypoint, user, data dir)', async () => {
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
        const api = await project.inspect('task-api');
        const frontend = await project.inspect('frontend');
        const passed = (api.State.Health?.Log ?? []).filter((probe) => probe.ExitCode === 0);
        assert.ok(
          passed.length > 0,
          `task-api has no passing health probe: ${JSON.stringify(api.State.Health)}`,
        );
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
        const targets =
          /✔ targets: 3 targets up: (.+); 3 target\(s\) of grafana, tempo, loki not checked/.exec(stdout);
        assert.ok(targets, stdout);
        assert.deepEqual(targets[1]!.split(', ').sort(), ['otel-collector', 'prometheus', 'task-api']);
        assert.match(stdout.trim().split('\n').at(-1) ?? '', /^4 passed, 0 failed, 0 skipped$/);
      });

      it('runs Prometheus 3 with our config and rules: promtool passes in the image, exemplar storage and the remote-write receiver on, every target of a running service up', async () => {
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

      it('carries one trace from Chromium through nginx, task-api and the Collector to the Tempo endpoint, with HTTP and database spans, and its log lines to the Loki endpoint', async () => {
        const browser = await chromium.launch({
          executablePath: process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium',
          headless: true,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        });
        let traceId: string;
        try {
          const page = await (await browser.newContext()).newPage();
          await page.goto(baseUrl);
          await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
          await page.getByLabel('Title', { exact: true }).fill(`traced from the browser ${runId}`);
          await page.getByRole('button', { name: 'Add task' }).click();
          await page.getByText(`traced from the browser ${runId}`).first().waitFor({ timeout: 15_000 });
          traceId = (await page.locator('#status').getAttribute('data-trace-id')) ?? '';
          assert.match(traceId, /^[0-9a-f]{32}$/);
          // The page exports its spans every second, task-api in batches: keep the page open until
          // the endpoint has the browser's spans and task-api's.
          await eventually(
            () => {
              const spans = receiver!.spans.filter((span) => span.traceId === traceId);
              assert.ok(
                spans.some((span) => service(span) === 'frontend'),
                'no browser span yet',
              );
              assert.ok(
                spans.some((span) => service(span) === 'task-api' && span.kind === SpanKinds.server),
                'no task-api server span yet',
              );
              assert.ok(
                spans.some((span) => service(span) === 'task-api' && span.kind === SpanKinds.client),
                'no task-api database span yet',
              );
            },
            {
              timeoutMs: 60_000,
              intervalMs: 1_000,
              description: `the browser's and task-api's spans of trace ${traceId} reach the Tempo endpoint`,
            },
          );
        } finally {
          await browser.close();
        }
        const spans = receiver!.spans.filter((span) => span.traceId === traceId);
        const server = spans.find((span) => service(span) === 'task-api' && span.kind === SpanKinds.server);
        assert.ok(
          server,
          `no task-api server span in ${JSON.stringify(spans.map((s) => [service(s), s.name]))}`,
        );
        assert.equal(server.name, 'POST /api/tasks');
        const database = spans.filter(
          (span) => service(span) === 'task-api' && span.kind === SpanKinds.client,
        );
        assert.ok(
          database.some(
            (span) =>
              span.attributes['db.operation.name'] === 'INSERT' &&
              span.attributes['db.system.name'] === 'sqlite',
          ),
          `no INSERT database span: ${JSON.stringify(database.map((s) => s.name))}`,
        );
        assert.equal(
          server.resource['deployment.environment.name'],
          'lab',
          'the Collector upserts the environment',
        );
        const logs = await eventually(
          () => {
            const received = receiver!.logs;
            const ofTrace = received.filter(
              (record) => record.traceId === traceId && record.resource['service.name'] === 'task-api',
            );
            assert.ok(
              ofTrace.length > 0,
              `no task-api log record with trace id ${traceId} among ${received.length}`,
            );
            return ofTrace;
          },
          {
            timeoutMs: 30_000,
            intervalMs: 1_000,
            description: `log lines of trace ${traceId} reach the sink`,
          },
        );
        log(
          `trace ${traceId}: ${spans.length} spans (${spans.filter((s) => service(s) === 'frontend').length} from the browser), ${logs.length} log records`,
        );
      });

      it('counts what the Collector accepted and sent on to the Tempo and Loki endpoints in its own metrics, scraped by Prometheus', async () => {
        const counts = await eventually(
          async () => {
            const value = async (query: string) =>
              Number((await instantQuery(prometheusUrl, query)).result[0]?.value[1] ?? 0);
            const found = {
              acceptedSpans: await value(
                'sum({__name__=~"otelcol_receiver_accepted_spans(_total)?",job="otel-collector"})',
              ),
              acceptedLogs: await value(
                'sum({__name__=~"otelcol_receiver_accepted_log_records(_total)?",job="otel-collector"})',
              ),
              sentSpans: await value(
                'sum({__name__=~"otelcol_exporter_sent_spans(_total)?",job="otel-collector",exporter="otlp_grpc/tempo"})',
              ),
              sentLogs: await value(
                'sum({__name__=~"otelcol_exporter_sent_log_records(_total)?",job="otel-collector",exporter="otlp_http/loki"})',
              ),
            };
            for (const [name, count] of Object.entries(found)) assert.ok(count > 0, `${name} = ${count}`);
            return found;
          },
          {
            timeoutMs: 90_000,
            intervalMs: 3_000,
            description: "the Collector's own counters are above 0 in Prometheus",
          },
        );
        log(`collector: ${JSON.stringify(counts)}`);
      });

      it("answers every PromQL expression of the dashboards and the SLO rules with data after mixed traffic (success, errors, slow), except the ones of Tempo's metrics generator", async () => {
        const expressions = loadPromqlExpressions(join(root, 'compose/config'));
        const runnable = expressions.filter((e) => e.tempoGeneratorSeries.length === 0);
        const tempoOnly = expressions.filter((e) => e.tempoGeneratorSeries.length > 0);
        assert.ok(runnable.length >= 40, `only ${runnable.length} expressions found`);
        const traffic = startTraffic(baseUrl);
        const answered = new Map<PromqlExpression, number>();
        try {
          await eventually(
            async () => {
              const missing: string[] = [];
              for (const expression of runnable) {
                if (answered.has(expression)) continue;
                const { result } = await instantQuery(prometheusUrl, expression.expr);
                const finite = result.filter((sample) => Number.isFinite(Number(sample.value[1])));
                if (finite.length > 0) answered.set(expression, result.length);
                else missing.push(`${expression.source}: ${result.length} series, none finite`);
              }
              assert.deepEqual(
                missing,
                [],
                `${missing.length} of ${runnable.length} expressions without data`,
              );
            },
            { timeoutMs: 240_000, intervalMs: 5_000, description: 'every expression returns data' },
          );
        } finally {
          const { sent, statuses } = await traffic.stop();
          log(`traffic: ${sent} requests, statuses ${JSON.stringify(statuses)}`);
        }
        for (const expression of runnable) log(`  ${answered.get(expression)} series  ${expression.source}`);
        for (const expression of tempoOnly)
          log(
            `  needs Tempo's metrics generator (${expression.tempoGeneratorSeries.join(', ')}): ${expression.source}`,
          );
        assert.equal(answered.size, runnable.length);
      });

      it('stores exemplars whose trace ids are traces the Tempo endpoint received', async () => {
        const end = Date.now() / 1000;
        const exemplars = await prometheusApi<{ exemplars: { labels: Record<string, string> }[] }[]>(
          prometheusUrl,
          'api/v1/query_exemplars',
          {
            query: 'http_request_duration_seconds_bucket{job="task-api"}',
            start: String(end - 3600),
            end: String(end),
          },
        );
        const traceIds = new Set(
          exemplars.flatMap((series) => series.exemplars.map((e) => e.labels['trace_id'] ?? '')),
        );
        traceIds.delete('');
        assert.ok(traceIds.size > 0, 'no exemplar with a trace_id');
        const received = new Set(receiver!.spans.map((span) => span.traceId));
        const linked = [...traceIds].filter((id) => received.has(id));
        assert.ok(
          linked.length > 0,
          `none of ${traceIds.size} exemplar trace ids reached the Tempo endpoint`,
        );
        log(`exemplars: ${traceIds.size} trace ids, ${linked.length} of them received by the sink`);
      });

      it("reports the Collector's health truthfully through its sidecar: the probe fails while the Collector is stopped and passes again after", async () => {
        // The sidecar's own healthcheck command, as compose configured it (not a copy of it).
        const { stdout } = await docker([
          'inspect',
          '--format',
          '{{json .Config.Healthcheck.Test}}',
          await project.containerId('otel-collector-health'),
        ]);
        const [kind, ...command] = JSON.parse(stdout) as string[];
        assert.equal(kind, 'CMD');
        assert.match(command.at(-1) ?? '', /^http:\/\/otel-collector:13133\//);
        const probe = () => project.exec('otel-collector-health', command);
        await probe();
        await project.compose(['stop', '--timeout', '10', 'otel-collector']);
        try {
          await assert.rejects(probe(), /exited with code|failed/);
        } finally {
          await project.compose(['start', 'otel-collector']);
        }
        await eventually(probe, {
          timeoutMs: 60_000,
          intervalMs: 1_000,
          description: 'the Collector answers again',
        });
      });

      it('recovers from a docker restart of task-api under steady traffic: no 5xx once it is healthy again', async () => {
        const results: { at: number; status: number }[] = [];
        let running = true;
        const traffic = (async () => {
          while (running) {
            const at = Date.now();
            let status: number;
            try {
              const response = await fetch(`${baseUrl}/api/tasks?limit=1`, {
                signal: AbortSignal.timeout(5_000),
              });
              await response.arrayBuffer();
              status = response.status;
            } catch {
              status = 0; // no answer from nginx at all
            }
            results.push({ at, status });
            await new Promise((done) => setTimeout(done, 50));
          }
        })();
        try {
          await eventually(() => assert.ok(results.length >= 10), { timeoutMs: 10_000 });
          const restarted = Date.now();
          await docker(['restart', '--time', '10', await project.containerId('task-api')], {
            timeoutMs: 60_000,
          });
          await eventually(async () => assert.equal(await project.health('task-api'), 'healthy'), {
            timeoutMs: 120_000,
            intervalMs: 250,
            description: 'task-api is healthy again after docker restart',
          });
          const healthy = Date.now();
          const steadyFrom = results.length;
          await eventually(() => assert.ok(results.length - steadyFrom >= 60), { timeoutMs: 30_000 });
          running = false;
          await traffic;
          const during = results.filter((r) => r.at >= restarted && r.at < healthy);
          const afterHealthy = results.filter((r) => r.at >= healthy);
          const failures = afterHealthy.filter((r) => r.status !== 200);
          log(
            `restart: healthy again after ${seconds(healthy - restarted)}; during it ${during.filter((r) => r.status >= 500).length} of ${during.length} requests got 5xx; after it ${failures.length} of ${afterHealthy.length} failed`,
          );
          assert.deepEqual(failures, [], 'requests failed after task-api was healthy again');
        } finally {
          running = false;
          await traffic;
        }
      });

      it('keeps the data on its named volume across docker compose down and up', async () => {
        const title = `survives down ${runId}`;
        const created = await fetch(`${baseUrl}/api/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title }),
        });
        assert.equal(created.status, 201);
        const volumesBefore = await project.volumes();
        assert.ok(
          volumesBefore.includes(`obslab-e2e-${runId}_task-api-data`),
          `volumes: ${volumesBefore.join(', ')}`,
        );

        await timed('compose down (volumes kept)', () => project.down({ volumes: false }));
        assert.deepEqual((await project.volumes()).sort(), volumesBefore.sort());
        await timed('compose up --wait again', () => project.up(services));

        const listed = (await (await fetch(`${baseUrl}/api/tasks`)).json()) as { tasks: { title: string }[] };
        assert.ok(
          listed.tasks.some((task) => task.title === title),
          `task "${title}" is gone after down and up`,
        );
      });
    },
  );

  describe(
    'the operator image (operator/Dockerfile) on a real dockerd: non-root, read-only root filesystem',
    { timeout: 55 * 60_000 },
    () => {
      const image = defaultOperatorImage;
      /** `docker run --rm` as the operator Deployment runs it: uid 10001, read-only root, no capabilities. */
      const restricted = [
        'run',
        '--rm',
        '--read-only',
        '--user',
        '10001:10001',
        '--cap-drop',
        'ALL',
        '--security-opt',
        'no-new-privileges',
      ];

      before(
        async () => {
          await dockerd();
          await labImagesBuild();
          const { stdout: size } = await docker(['image', 'inspect', '-f', '{{.Size}}', image]);
          log(`operator image: ${(Number(size) / 1e6).toFixed(0)} MB`);
        },
        { timeout: 50 * 60_000 },
      );

      it('runs as uid and gid 10001 unless told otherwise', async () => {
        const { stdout: user } = await docker(['image', 'inspect', '-f', '{{.Config.User}}', image]);
        assert.equal(user.trim(), '10001:10001');
        const { stdout: id } = await docker(['run', '--rm', '--entrypoint', 'id', image]);
        assert.match(id.trim(), /^uid=10001\(\w+\) gid=10001\(\w+\) groups=10001\(\w+\)$/);
      });

      it('prints `lab operator run --help` as uid 10001 on a read-only root filesystem without capabilities', async () => {
        const { stdout } = await docker([...restricted, image, 'operator', 'run', '--help']);
        assert.match(stdout, /^Usage: lab operator run \[options\]\n/);
        assert.match(stdout, /--leader-elect\b/);
        assert.match(stdout, /--probes-address <host:port>/);
      });

      it("runs `lab operator run` with the operator Deployment's command and args (node, its heap flags, /app/tools/lab/bin/lab.js)", async () => {
        const deployment = operatorManifests().find((m) => m['kind'] === 'Deployment') as
          | { spec: { template: { spec: { containers: { command: string[]; args: string[] }[] } } } }
          | undefined;
        const container = deployment?.spec.template.spec.containers[0];
        assert.ok(container, 'operatorManifests() has no Deployment with a container');
        const [program, ...programArgs] = container.command;
        assert.ok(program, 'the Deployment container has no command');
        const { stdout } = await docker([
          ...restricted,
          '--entrypoint',
          program,
          image,
          ...programArgs,
          ...container.args,
          '--help',
        ]);
        assert.match(stdout, /^Usage: lab operator run \[options\]\n/);
        const { stdout: version } = await docker([
          ...restricted,
          '--entrypoint',
          program,
          image,
          ...programArgs,
          '--version',
        ]);
        assert.equal(version.trim(), '0.1.0');
      });

      it("renders a lab's desired state from the workspace files in the image, read-only, exactly as on the host", async () => {
        const lab: ObservabilityLab = {
          apiVersion: 'lab.obslab.dev/v1alpha1',
          kind: 'ObservabilityLab',
          metadata: { name: 'lab', namespace: 'obslab-e2e', uid: '00000000-0000-4000-8000-000000000001' },
          spec: {},
        };
        // What the operator does for each lab: synthesize it with charts-ts from /app's nx.json,
        // compose/config/ and the task-api version, without writing to the filesystem.
        const script = `
          const { desiredState } = await import('@obslab/operator');
          process.stdout.write(JSON.stringify(desiredState(${JSON.stringify(lab)}).children));
        `;
        const { stdout } = await docker([
          ...restricted,
          '--entrypoint',
          'node',
          image,
          '--input-type=module',
          '-e',
          script,
        ]);
        const inImage = JSON.parse(stdout) as { kind: string; metadata: { name: string } }[];
        const names = inImage.map((object) => `${object.kind}/${object.metadata.name}`);
        for (const expected of [
          'Deployment/task-api',
          'Deployment/prometheus',
          'ConfigMap/prometheus-config',
        ])
          assert.ok(
            names.includes(expected),
            `no ${expected} in the image's desired state: ${names.join(', ')}`,
          );
        assert.deepEqual(inImage, JSON.parse(JSON.stringify(desiredState(lab).children)));
      });
    },
  );
});
