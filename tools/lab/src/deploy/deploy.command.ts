// `lab deploy`: the compose lab onto a Docker host over SSH (the story's "rsync + ssh" deploy,
// minus its `down -v`). Images built here from the repository's Dockerfiles travel as a
// `docker save` archive, so the VM needs no registry and no sources; upstream images the VM pulls
// itself. Data lives in named volumes and survives every re-deploy.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { LabError } from '../lab.error.js';
import { CHECK_NAMES, type CheckName } from '../verify/verify.checks.js';
import { verify } from '../verify/verify.command.js';
import { parseDestination, shellQuote, type SshTarget, sshArgs, sshOptions } from './ssh.target.js';
import { progress, step } from './step.runner.js';

const say = progress('deploy');
const remoteApp = (user: string) => `/home/${user}/lab/app`;

export interface DeployOptions {
  host: string;
  identity?: string;
  port: number;
  project: string;
  knownHosts: string;
  envFile?: string;
  services: string[];
  buildArg: string[];
  buildNetwork?: string;
  docker: string;
  minFreeGib: number;
  verify: boolean;
  verifyUrl?: string;
  verifyOnly?: CheckName[];
  verifyWait: number;
  workspace: string;
}

const defaultWorkspace = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export function deployCommand(): Command {
  return new Command('deploy')
    .description(
      "Deploy the compose lab to a Docker host over SSH: preflight (key login, docker, compose v2, disk space), build the repository's images here and load them there (docker save → rsync → docker load), rsync compose/compose.yaml, .env and compose/config/** to ~/lab/app (--delete only there), `docker compose -p PROJECT up -d --no-build --wait`, then `lab verify` against it. Never deletes volumes: a re-deploy keeps all data.",
    )
    .requiredOption('--host <user@address>', 'where to deploy, e.g. deploy@192.168.122.250')
    .option('--identity <key>', "SSH private key (default: ssh's own choice)")
    .addOption(new Option('--port <port>', 'SSH port').default(22).argParser(port))
    .option('--project <name>', 'compose project name', 'lab')
    .option(
      '--known-hosts <file>',
      'known_hosts file (a new host key is accepted once, then enforced)',
      join(homedir(), '.ssh/known_hosts'),
    )
    .option(
      '--env-file <file>',
      'the .env to deploy (default: compose/.env if present, else the one already on the host, else a generated one)',
    )
    .option('--services <names>', 'deploy only these services (comma-separated; default all)', list, [])
    .option(
      '--build-arg <KEY=VALUE>',
      'build argument for the local image builds (repeatable), e.g. NODE_IMAGE=…',
      collect,
      [],
    )
    .option(
      '--build-network <mode>',
      'network for the local image builds, e.g. host where the default bridge has no NAT',
    )
    .option(
      '--docker <program>',
      'local docker CLI (with the Compose v2 plugin)',
      process.env['DOCKER'] ?? (existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker'),
    )
    .addOption(
      new Option('--min-free-gib <GiB>', 'free disk space the host must have')
        .default(3)
        .argParser(positive('--min-free-gib')),
    )
    .option('--no-verify', 'skip `lab verify` after the deploy')
    .option('--verify-url <url>', 'the frontend as this machine reaches it (default http://ADDRESS:8080)')
    .addOption(
      new Option('--verify-only <checks>', `verify only these checks (${CHECK_NAMES.join(', ')})`).argParser(
        checks,
      ),
    )
    .addOption(
      new Option('--verify-wait <seconds>', 'how long verify waits for telemetry')
        .default(90)
        .argParser(positive('--verify-wait')),
    )
    .option('--workspace <dir>', 'the repository root', defaultWorkspace)
    .action(async (options: DeployOptions) => deploy(options));
}

export async function deploy(options: DeployOptions): Promise<void> {
  const started = Date.now();
  const { user, host } = parseDestination(options.host);
  const target: SshTarget = {
    user,
    host,
    port: options.port,
    knownHosts: options.knownHosts,
    ...(options.identity ? { identity: resolve(options.identity) } : {}),
  };
  const app = remoteApp(user);
  const composeDir = join(options.workspace, 'compose');
  if (!existsSync(join(composeDir, 'compose.yaml'))) {
    throw new LabError(
      `no compose/compose.yaml under ${options.workspace}`,
      'run from the repository or pass --workspace',
      2,
    );
  }
  const ssh = (what: string, command: string, timeoutMs = 300_000) =>
    step(what, 'ssh', sshArgs(target, command), { timeoutMs });

  say(`preflight: ${user}@${host}:${target.port}`);
  const { stdout: facts } = await ssh(
    'preflight (SSH login, docker, compose, disk space)',
    `set -e; docker version --format '{{.Server.Version}}'; docker compose version --short; df -Pk "$HOME" | tail -n 1; test -f ${shellQuote(`${app}/compose/.env`)} && echo env=yes || echo env=no`,
    60_000,
  );
  const [engine, compose, df, envLine] = facts.trim().split('\n');
  const freeGib = Number(df?.trim().split(/\s+/)[3]) / 1024 / 1024;
  if (!/^v?[2-9]\./.test(compose ?? '')) {
    throw new LabError(
      `${host} has compose "${compose}", not Compose v2`,
      "install the distribution's docker-compose (Debian 13: 2.x) or docker-compose-plugin",
    );
  }
  if (!(freeGib >= options.minFreeGib)) {
    throw new LabError(
      `${host} has ${freeGib.toFixed(1)} GiB free in its home, under --min-free-gib ${options.minFreeGib}`,
      'free space (docker system prune) or grow the disk',
    );
  }
  say(`docker ${engine}, compose ${compose}, ${freeGib.toFixed(1)} GiB free`);

  const stage = await mkdtemp(join(tmpdir(), 'obslab-deploy-'));
  try {
    // What compose needs, in the repository's layout: the compose file, its bind-mounted config, the .env.
    await cp(join(composeDir, 'compose.yaml'), join(stage, 'compose/compose.yaml'));
    await cp(join(composeDir, 'config'), join(stage, 'compose/config'), { recursive: true });
    const envFile =
      options.envFile ?? (existsSync(join(composeDir, '.env')) ? join(composeDir, '.env') : undefined);
    const keepRemoteEnv = !envFile && envLine === 'env=yes';
    if (envFile) await cp(envFile, join(stage, 'compose/.env'));
    else if (!keepRemoteEnv) {
      say('no .env given: generating one (Grafana admin password in ~/lab/app/compose/.env on the host)');
      await writeFile(
        join(stage, 'compose/.env'),
        `# Generated by lab deploy.\nGRAFANA_ADMIN_PASSWORD=${randomBytes(18).toString('base64url')}\nLAB_BIND_ADDRESS=0.0.0.0\n`,
        { mode: 0o600 },
      );
    }

    const localCompose = [
      options.docker,
      'compose',
      '-p',
      options.project,
      '-f',
      join(composeDir, 'compose.yaml'),
    ];
    const composeEnv = envFile ?? join(stage, 'compose/.env');
    const composeArgs = [
      ...localCompose.slice(1),
      ...(existsSync(composeEnv) ? ['--env-file', composeEnv] : []),
    ];
    const { stdout: built } = await step(
      'listing the services built from this repository',
      options.docker,
      [...composeArgs, 'config', '--format', 'json'],
      {
        env: {
          ...process.env,
          GRAFANA_ADMIN_PASSWORD: process.env['GRAFANA_ADMIN_PASSWORD'] ?? 'unused-for-config',
        },
      },
    );
    const config = JSON.parse(built) as {
      services: Record<
        string,
        { build?: { context: string; dockerfile?: string; args?: Record<string, string> }; image?: string }
      >;
    };
    const wanted = options.services.length > 0 ? options.services : Object.keys(config.services);
    for (const name of wanted)
      if (!config.services[name])
        throw new LabError(`--services: no service "${name}" in compose.yaml`, undefined, 2);
    const toBuild = wanted.filter((name) => config.services[name]?.build);
    if (toBuild.length > 0) {
      // docker build per service from the compose file's own build settings: `compose build` has no
      // --network, and hosts without NAT for the default bridge need `--build-network host`.
      for (const name of toBuild) {
        const service = config.services[name]!;
        const build = service.build!;
        say(`building ${name} (${service.image}) here`);
        await step(
          `building the ${name} image`,
          options.docker,
          [
            'build',
            ...(options.buildNetwork ? ['--network', options.buildNetwork] : []),
            '-f',
            resolve(build.context, build.dockerfile ?? 'Dockerfile'),
            '-t',
            service.image!,
            ...Object.entries(build.args ?? {}).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
            ...options.buildArg.flatMap((arg) => ['--build-arg', arg]),
            build.context,
          ],
          { cwd: options.workspace, timeoutMs: 30 * 60_000, env: { ...process.env, DOCKER_BUILDKIT: '1' } },
        );
      }
      const images = toBuild.map((name) => config.services[name]!.image!).filter(Boolean);
      say(`saving ${images.join(', ')}`);
      await step('saving the images', options.docker, ['save', '-o', join(stage, 'images.tar'), ...images], {
        timeoutMs: 10 * 60_000,
      });
    }

    say(`syncing compose.yaml, .env and compose/config to ${app}`);
    await ssh(
      'creating the app directory',
      `mkdir -p ${shellQuote(app)} ${shellQuote(`/home/${user}/lab/images`)}`,
    );
    const rsyncSsh = ['ssh', ...sshOptions(target)].map(shellQuote).join(' ');
    await step(
      'rsync of the compose files',
      'rsync',
      [
        '-rlptz',
        '--delete',
        '--checksum',
        ...(keepRemoteEnv ? ['--filter', 'P compose/.env'] : []),
        '--exclude',
        'images.tar',
        '-e',
        rsyncSsh,
        `${stage}/`,
        `${user}@${host}:${app}/`,
      ],
      { timeoutMs: 10 * 60_000 },
    );
    if (toBuild.length > 0) {
      say('copying and loading the images');
      await step(
        'rsync of the images',
        'rsync',
        [
          '-t',
          '--inplace',
          '-e',
          rsyncSsh,
          join(stage, 'images.tar'),
          `${user}@${host}:/home/${user}/lab/images/images.tar`,
        ],
        { timeoutMs: 30 * 60_000 },
      );
      await ssh(
        'loading the images',
        `docker load -i /home/${user}/lab/images/images.tar && rm -f /home/${user}/lab/images/images.tar`,
        30 * 60_000,
      );
    }

    say(`docker compose -p ${options.project} up -d --wait ${options.services.join(' ')}`);
    await ssh(
      'docker compose up',
      `cd ${shellQuote(`${app}/compose`)} && docker compose -p ${shellQuote(options.project)} --env-file .env up --detach --no-build --wait --wait-timeout 600 --remove-orphans ${options.services.map(shellQuote).join(' ')}`,
      15 * 60_000,
    );
    say(`deployed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }

  if (!options.verify) return;
  const url = new URL(options.verifyUrl ?? `http://${host}:8080`);
  const reports = await verify(
    { app: url },
    { ...(options.verifyOnly ? { only: options.verifyOnly } : {}), waitMs: options.verifyWait * 1000 },
  );
  const failed = reports.filter((report) => report.status === 'failed');
  if (failed.length > 0) {
    throw new LabError(
      `deployed, but ${failed.length} check(s) failed: ${failed.map((report) => report.name).join(', ')}`,
      failed.map((report) => `${report.name}: ${report.hint ?? ''}`).join('\n  → '),
    );
  }
}

function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 65535)
    throw new LabError(`--port "${value}": 1–65535`, undefined, 2);
  return number;
}
const positive = (what: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new LabError(`${what} "${value}": a positive number`, undefined, 2);
  return number;
};
const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const collect = (value: string, previous: string[]) => [...previous, value];
function checks(value: string): CheckName[] {
  const names = list(value);
  for (const name of names)
    if (!(CHECK_NAMES as readonly string[]).includes(name))
      throw new LabError(`--verify-only: unknown check "${name}" (${CHECK_NAMES.join(', ')})`, undefined, 2);
  return names as CheckName[];
}
