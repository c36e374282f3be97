// `lab up`, `lab down`, `lab status`: the whole compose lab on this machine in one command, with
// the checks a newcomer needs first (Docker, Compose v2), a generated compose/.env, `lab verify`
// once it runs, and the links to open. Everything else is the existing pieces: compose/compose.yaml,
// `lab verify`, step()/run() for external programs.
import { relative } from 'node:path';
import { Command } from 'commander';
import { progress } from '../deploy/step.runner.js';
import { LabError } from '../lab.error.js';
import { numberOption, repeatableOption, seconds } from '../options/option.parsers.js';
import { verify } from '../verify/verify.command.js';
import { ensureComposeEnv } from './compose-env.js';
import { type ComposeTool, dockerEngineVersion, findCompose } from './compose.tool.js';
import {
  compose,
  dashboards,
  defaultWorkspace,
  envExampleOf,
  envFileOf,
  type LocalLabOptions,
  parseServiceStates,
  publishedUrl,
} from './local-lab.js';

interface UpOptions extends LocalLabOptions {
  build: boolean;
  verify: boolean;
  verifyWait: number;
  waitTimeout: number;
}

/** The options `up`, `down` and `status` share: where the lab is and how compose is called. */
function withLabOptions(command: Command): Command {
  return command
    .option('--workspace <dir>', 'the repository root', defaultWorkspace)
    .addOption(
      repeatableOption(
        '-f, --file <compose file>',
        'another compose file after compose/compose.yaml, e.g. an override (repeatable)',
      ),
    )
    .option('-p, --project <name>', 'compose project name (default: obslab, from compose.yaml)')
    .option('--env-file <file>', 'the env file (default: compose/.env, made on the first lab up)')
    .option('--docker <program>', 'the docker CLI', process.env['DOCKER'] ?? 'docker');
}

export function upCommands(): Command[] {
  const up = withLabOptions(
    new Command('up').description(
      'Run the whole lab here with Docker Compose v2: check docker and compose, make compose/.env with a generated Grafana password on the first run (kept after that), `docker compose up -d --build --wait`, then `lab verify`, then print the links (UI, Grafana dashboards, alerts) and next steps. Data lives in volumes and survives `lab down`.',
    ),
  )
    .option('--no-build', 'use the images as they are (no docker build of task-api and the UI)')
    .option('--no-verify', 'skip `lab verify` once the lab runs')
    .addOption(
      numberOption('--verify-wait <seconds>', 'how long verify waits for telemetry', seconds).default(90),
    )
    .addOption(
      numberOption(
        '--wait-timeout <seconds>',
        'how long compose may take until every service is healthy',
        seconds,
      ).default(600),
    )
    .action(async (options: UpOptions) => labUp(options));

  const down = withLabOptions(
    new Command('down').description(
      "Stop and remove the lab's containers and network; the data (named volumes) stays unless --volumes.",
    ),
  )
    .option('--volumes', 'also delete the data volumes (tasks, metrics, traces, logs, Grafana)', false)
    .action(async (options: LocalLabOptions & { volumes: boolean }) => labDown(options));

  const status = withLabOptions(
    new Command('status').description(
      'Say which services of the lab run and whether they are healthy, with the links (exit code 1 when the lab does not run or a service is not healthy).',
    ),
  ).action(async (options: LocalLabOptions) => labStatus(options));

  return [up, down, status];
}

const say = progress('up');

/** Checks docker, compose and the engine; progress on stderr. */
async function tools(options: LocalLabOptions, log: (line: string) => void): Promise<ComposeTool> {
  const tool = await findCompose(options.docker);
  log(
    `compose ${tool.composeVersion}${tool.source === 'ensure-compose' ? ` (built by scripts/ensure-compose.sh: DOCKER_CONFIG=${tool.env['DOCKER_CONFIG']})` : ''}`,
  );
  log(`docker engine ${await dockerEngineVersion(tool)}`);
  return tool;
}

export async function labUp(options: UpOptions): Promise<void> {
  const started = Date.now();
  const steps = options.verify ? 5 : 4;
  const stepSay = (n: number, line: string) => say(`[${n}/${steps}] ${line}`);
  const envFile = envFileOf(options);
  const shown = relative(process.cwd(), envFile) || envFile;

  stepSay(1, `configuration: ${shown}`);
  const env = await ensureComposeEnv(envFile, envExampleOf(options));
  say(
    env.created
      ? `  made ${shown} (mode 0600) with a generated Grafana admin password; edit it to change settings`
      : `  using ${shown} as it is`,
  );

  stepSay(2, 'checking docker and Docker Compose v2');
  const tool = await tools(options, (line) => say(`  ${line}`));

  stepSay(
    3,
    `docker compose up --detach ${options.build ? '--build ' : ''}--wait (the first run builds task-api and the UI and pulls the other images: minutes)`,
  );
  const heartbeat = setInterval(
    () => say(`  … still starting (${Math.round((Date.now() - started) / 1000)} s)`),
    20_000,
  );
  try {
    await compose(
      tool,
      options,
      'docker compose up',
      [
        'up',
        '--detach',
        ...(options.build ? ['--build'] : ['--no-build']),
        '--wait',
        '--wait-timeout',
        String(options.waitTimeout),
        '--remove-orphans',
      ],
      (options.waitTimeout + 30 * 60) * 1000,
    );
  } finally {
    clearInterval(heartbeat);
  }
  const ui = await publishedUrl(tool, options, 'ui');
  const grafana = await publishedUrl(tool, options, 'grafana');
  say(`  every service is up (${Math.round((Date.now() - started) / 1000)} s)`);

  let failedChecks: string[] = [];
  let hints: string[] = [];
  if (options.verify) {
    stepSay(
      4,
      'lab verify: a request with a known trace id, then its trace, logs and metrics in the backends',
    );
    if (!ui) throw new LabError('the UI publishes no port', 'look at: docker compose ps (lab status)');
    const password = env.values['GRAFANA_ADMIN_PASSWORD']!;
    const reports = await verify(
      {
        app: ui,
        ...(grafana
          ? { grafana: { url: grafana, user: env.values['GRAFANA_ADMIN_USER'] || 'admin', password } }
          : {}),
      },
      { waitMs: options.verifyWait * 1000 },
    );
    const failed = reports.filter((report) => report.status === 'failed');
    failedChecks = failed.map((report) => report.name);
    hints = failed.map((report) => `${report.name}: ${report.hint ?? ''}`);
  }

  stepSay(steps, 'done: the links');
  printLinks(options, ui, grafana, shown);
  if (failedChecks.length > 0)
    throw new LabError(
      `the lab runs, but ${failedChecks.length} check(s) failed: ${failedChecks.join(', ')}`,
      hints.join('\n  → '),
    );
}

function printLinks(
  options: LocalLabOptions,
  ui: URL | undefined,
  grafana: URL | undefined,
  envShown: string,
): void {
  const origin = (url: URL) => url.origin;
  const lines: string[] = [''];
  if (ui) {
    lines.push(`  UI (task manager)     ${origin(ui)}/`);
    lines.push(`  API docs              ${origin(ui)}/api/docs`);
  }
  if (grafana) {
    lines.push(
      `  Grafana               ${origin(grafana)}/  (user admin, password: GRAFANA_ADMIN_PASSWORD in ${envShown})`,
    );
    for (const { uid, title } of dashboards(options))
      lines.push(`    dashboard "${title}"  ${origin(grafana)}/d/${uid}`);
    lines.push(`    Prometheus alerts (SLO burn rates)  ${origin(grafana)}/alerting/list`);
    lines.push(`    Explore traces, logs, metrics       ${origin(grafana)}/explore`);
  }
  lines.push('');
  lines.push('Next:');
  lines.push('  npx lab status              what runs, and these links again');
  if (ui && grafana)
    lines.push(
      `  npx lab verify --url ${origin(ui)} --grafana-url ${origin(grafana)}   (export GRAFANA_ADMIN_PASSWORD from ${envShown} first)`,
    );
  lines.push('  npx lab down                stop the lab, keep its data (--volumes deletes it)');
  console.log(lines.join('\n'));
}

export async function labDown(options: LocalLabOptions & { volumes: boolean }): Promise<void> {
  const log = progress('down');
  log('[1/2] checking docker and Docker Compose v2');
  const tool = await tools(options, (line) => log(`  ${line}`));
  log(
    options.volumes
      ? '[2/2] docker compose down --volumes: removing the containers, the network AND THE DATA'
      : '[2/2] docker compose down: removing the containers and the network; the data volumes stay',
  );
  await compose(
    tool,
    options,
    'docker compose down',
    ['down', '--remove-orphans', ...(options.volumes ? ['--volumes'] : [])],
    600_000,
  );
  log(options.volumes ? 'stopped; data deleted' : 'stopped; data kept (npx lab up brings it back)');
}

export async function labStatus(options: LocalLabOptions): Promise<void> {
  const log = progress('status');
  const tool = await tools(options, (line) => log(line));
  const { stdout } = await compose(tool, options, 'docker compose ps', ['ps', '--all', '--format', 'json']);
  const services = parseServiceStates(stdout);
  if (services.length === 0) {
    console.log('not running');
    throw new LabError('the lab does not run', 'start it: npx lab up');
  }
  const width = Math.max(...services.map((service) => service.Service.length));
  for (const service of services)
    console.log(
      `${service.Service.padEnd(width)}  ${service.State}${service.Health ? ` (${service.Health})` : ''}`,
    );
  const unwell = services.filter(
    (service) =>
      service.State !== 'running' ||
      (service.Health !== undefined && service.Health !== '' && service.Health !== 'healthy'),
  );
  const ui = await publishedUrl(tool, options, 'ui');
  const grafana = await publishedUrl(tool, options, 'grafana');
  printLinks(options, ui, grafana, relative(process.cwd(), envFileOf(options)) || envFileOf(options));
  if (unwell.length > 0)
    throw new LabError(
      `${unwell.map((service) => service.Service).join(', ')}: not running or not healthy`,
      `see why: docker compose -f compose/compose.yaml logs ${unwell[0]!.Service}; npx lab up starts what is missing`,
    );
}
