// The suites on a real dockerd: the compose lab (the committed compose/compose.yaml, with an
// override that swaps only image sources and build args for images buildable here, since no registry
// is reachable) and the operator's image. They share one dockerd, started when none runs and stopped
// after the last suite: node --test runs spec files in parallel processes, so a second file starting
// its own dockerd would clash with this one. Skipped locally when Docker cannot run; fails when CI=true.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { desiredState, operatorManifests, type ObservabilityLab } from '@obslab/operator';
import { eventually, freePort, run } from '@obslab/process';
import { stringify } from 'yaml';
import { ComposeProject } from './docker/compose.project.js';
import {
  type DockerDaemon,
  docker,
  dockerSkipReason,
  ensureBaseImages,
  ensureComposeV2,
  ensureDockerd,
} from './docker/docker.cli.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const composeFile = join(root, 'compose/compose.yaml');
const skip = dockerSkipReason();
const log = (line: string) => console.error(`# ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Images built from the repository's Dockerfiles on local base images (no registry here). */
const localImages = {
  taskApi: 'obslab-e2e/task-api:test',
  frontend: 'obslab-e2e/frontend:test',
  operator: 'obslab-e2e/operator:test',
  node: 'obslab-local/node:24',
  nginx: 'obslab-local/nginx-unprivileged:test',
  prometheus: 'obslab-local/prometheus:test',
};
/** What runs: upstream images of the other services cannot be pulled here. */
const services = ['frontend', 'task-api', 'prometheus'];

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const value = await fn();
  log(`${what}: ${seconds(Date.now() - started)}`);
  return value;
}

/** `docker build` of a repository Dockerfile (from the workspace root) on the local Node base image. */
function buildImage(dockerfile: string, tag: string, buildArgs: readonly string[] = []) {
  return docker(
    [
      'build',
      '--network',
      'host',
      '--build-arg',
      `NODE_IMAGE=${localImages.node}`,
      ...buildArgs,
      '-f',
      dockerfile,
      '-t',
      tag,
      '.',
    ],
    { cwd: root, timeoutMs: 15 * 60_000 },
  );
}

let daemon: Promise<DockerDaemon> | undefined;
/** The dockerd of every suite in this file: the first call starts one if none runs. */
function dockerd(): Promise<DockerDaemon> {
  daemon ??= timed('dockerd ready', () => ensureDockerd(log));
  return daemon;
}

// One describe around the suites so that node:test awaits stopping dockerd (a file-level after
// hook is not awaited once nothing else keeps the process alive).
describe('on a real dockerd', { skip, timeout: 70 * 60_000 }, () => {
  after(
    async () => {
      const started = await daemon?.catch(() => undefined);
      if (started?.startedHere) await timed('dockerd stopped', () => started.stop());
    },
    { timeout: 60_000 },
  );

  describe(
    'the compose lab on a real dockerd: frontend, task-api and prometheus (collector, tempo, loki, grafana left out: upstream images unreachable here)',
    { timeout: 40 * 60_000 },
    () => {
      const suiteStarted = Date.now();
      const runId = randomBytes(3).toString('hex');
      const workDir = mkdtempSync(join(tmpdir(), 'obslab-compose-e2e-'));
      let project: ComposeProject;
      let baseUrl: string;

      before(
        async () => {
          await dockerd();
          const dockerConfig = await timed('compose v2 ready (scripts/ensure-compose.sh)', () =>
            ensureComposeV2(root),
          );
          await timed('base images ready (scripts/build-base-images.sh)', () => ensureBaseImages(root));
          await timed('task-api image built', () =>
            buildImage('services/task-api/Dockerfile', localImages.taskApi),
          );
          await timed('frontend image built', () =>
            buildImage('services/frontend/Dockerfile', localImages.frontend, [
              '--build-arg',
              `NGINX_IMAGE=${localImages.nginx}`,
            ]),
          );

          // The override swaps image sources only; every other setting is the committed file's.
          const override = join(workDir, 'compose.local-images.yaml');
          writeFileSync(
            override,
            stringify({
              services: {
                'task-api': { image: localImages.taskApi, build: { args: { NODE_IMAGE: localImages.node } } },
                frontend: {
                  image: localImages.frontend,
                  build: { args: { NODE_IMAGE: localImages.node, NGINX_IMAGE: localImages.nginx } },
                },
                prometheus: { image: localImages.prometheus },
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
          );
          project = new ComposeProject({
            name: `obslab-e2e-${runId}`,
            files: [composeFile, override],
            envFile,
            ...(dockerConfig ? { dockerConfig } : {}),
          });
          baseUrl = `http://127.0.0.1:${frontendPort}`;
          await timed(`compose up --wait ${services.join(' ')}`, () => project.up(services));
        },
        { timeout: 35 * 60_000 },
      );

      after(
        async () => {
          try {
            if (project) await timed('compose down --volumes', () => project.down({ volumes: true }));
          } finally {
            rmSync(workDir, { recursive: true, force: true });
            log(`suite: ${seconds(Date.now() - suiteStarted)}`);
          }
        },
        { timeout: 120_000 },
      );

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
        assert.equal(await project.health('frontend'), 'healthy');
        log(`frontend started ${seconds(frontendStarted - Date.parse(api.State.StartedAt))} after task-api`);
      });

      it('serves the UI and the API through nginx on the published loopback port', async () => {
        const page = await fetch(`${baseUrl}/`);
        assert.equal(page.status, 200);
        assert.match(await page.text(), /<!doctype html>/i);
        assert.equal((await fetch(`${baseUrl}/healthz`)).status, 200);

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

      it("passes lab verify's app and requests checks through nginx", async () => {
        const lab = fileURLToPath(import.meta.resolve('@obslab/lab/bin/lab.js'));
        const { stdout } = await run(process.execPath, [
          lab,
          'verify',
          '--url',
          baseUrl,
          '--only',
          'app,requests',
        ]);
        assert.match(stdout, /✔ app: UI served/);
        assert.match(stdout, /✔ requests: task \d+ created, read and deleted in trace [0-9a-f]{32}/);
        assert.match(stdout.trim().split('\n').at(-1) ?? '', /^2 passed, 0 failed, 0 skipped$/);
      });

      it('has Prometheus scrape task-api over the compose network (up{job="task-api"} == 1)', async () => {
        const query = encodeURIComponent('up{job="task-api"}');
        const value = await eventually(
          async () => {
            const body = await project.exec('prometheus', [
              'wget',
              '-q',
              '-O',
              '-',
              `http://127.0.0.1:9090/api/v1/query?query=${query}`,
            ]);
            const result = (JSON.parse(body) as { data: { result: { value: [number, string] }[] } }).data
              .result;
            const up = result[0]?.value[1];
            assert.equal(up, '1', `query result: ${body}`);
            return up;
          },
          { timeoutMs: 90_000, intervalMs: 2_000, description: 'Prometheus reports up{job="task-api"} == 1' },
        );
        assert.equal(value, '1');
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
    { timeout: 25 * 60_000 },
    () => {
      const image = localImages.operator;
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
          await timed('base images ready (scripts/build-base-images.sh)', () => ensureBaseImages(root));
          await timed('operator image built', () => buildImage('operator/Dockerfile', image));
          const { stdout: size } = await docker(['image', 'inspect', '-f', '{{.Size}}', image]);
          log(`operator image: ${(Number(size) / 1e6).toFixed(0)} MB`);
        },
        { timeout: 20 * 60_000 },
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
