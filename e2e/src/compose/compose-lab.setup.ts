// The compose lab of the suite: the committed compose/compose.yaml with an override that points the
// Collector's Tempo and Loki exporters at an in-test OTLP sink on the compose network.
import assert from 'node:assert/strict';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from '@obslab/process';
import { type OtlpReceiver, startOtlpReceiver } from '@obslab/testing';
import { stringify } from 'yaml';
import { ComposeProject } from '../docker/compose.project.js';
import { docker, ensureComposeV2 } from '../docker/docker.cli.js';
import { sinkConfigYaml, sinkEndpoints, sinkService } from '../docker/otlp-sink.js';
import {
  composeFile,
  dockerd,
  imageOf,
  labImagesBuild,
  log,
  root,
  seconds,
  services,
  timed,
} from './compose-suite.context.js';

/** The running lab the tests look at. */
export interface ComposeLab {
  readonly runId: string;
  readonly project: ComposeProject;
  /** The frontend (nginx) on its published loopback port. */
  readonly baseUrl: string;
  /** Prometheus on its address on the compose network. */
  readonly prometheusUrl: string;
  /** What reached the Tempo and Loki endpoints, relayed by the sink. */
  readonly receiver: OtlpReceiver;
}

/** What {@link stopComposeLab} cleans up, filled in as {@link startComposeLab} gets on. */
export interface ComposeLabResources {
  readonly runId: string;
  readonly workDir: string;
  readonly started: number;
  project?: ComposeProject;
  receiver?: OtlpReceiver;
}

/** Starts the lab in `resources.workDir` (dockerd and the images first); records what it made as it goes. */
export async function startComposeLab(resources: ComposeLabResources): Promise<ComposeLab> {
  const { runId, workDir } = resources;
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
  const project = new ComposeProject({
    name: `obslab-e2e-${runId}`,
    files: [composeFile, override],
    envFile,
    ...(dockerConfig ? { dockerConfig } : {}),
  });
  resources.project = project;
  const baseUrl = `http://127.0.0.1:${frontendPort}`;
  // Create the project's network first: the in-test receiver listens on its gateway.
  await project.compose(['up', '--no-start', '--no-build', '--pull', 'never', ...services]);
  const { stdout: gateway } = await docker([
    'network',
    'inspect',
    '--format',
    '{{(index .IPAM.Config 0).Gateway}}',
    `${project.props.name}_default`,
  ]);
  const receiver = await startOtlpReceiver({ host: gateway.trim() });
  resources.receiver = receiver;
  writeFileSync(sinkConfig, sinkConfigYaml(receiver.endpoint));
  log(`OTLP receiver for the Tempo and Loki endpoints: ${receiver.endpoint}`);
  await timed(`compose up --wait ${services.join(' ')}`, () => project.up(services));
  const address = Object.values((await project.inspect('prometheus')).NetworkSettings.Networks)[0]?.IPAddress;
  assert.ok(address, 'prometheus has no address on the compose network');
  const prometheusUrl = `http://${address}:9090/`;
  return { runId, project, baseUrl, prometheusUrl, receiver };
}

/** `compose down --volumes`, the sink closed, the work dir removed: whatever was made. */
export async function stopComposeLab(resources: ComposeLabResources): Promise<void> {
  const { project, receiver, workDir } = resources;
  try {
    if (project) await timed('compose down --volumes', () => project.down({ volumes: true }));
  } finally {
    await receiver?.close();
    rmSync(workDir, { recursive: true, force: true });
    log(`suite: ${seconds(Date.now() - resources.started)}`);
  }
}
