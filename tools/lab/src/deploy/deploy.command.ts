// `lab deploy`: the compose lab onto a Docker host over SSH (the story's "rsync + ssh" deploy,
// minus its `down -v`). Images built here from the repository's Dockerfiles travel as a
// `docker save` archive, so the VM needs no registry and no sources; upstream images the VM pulls
// itself. Data lives in named volumes and survives every re-deploy. What is shipped (images to
// build, files to copy) is the stack's answer (deploy.plan.ts); the steps are in deploy.steps.ts.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composePaths } from '@obslab/compose';
import { workspaceStack } from '@obslab/stack';
import { Command } from 'commander';
import {
  namesOption,
  numberOption,
  repeatableOption,
  seconds,
  tcpPort,
  usageError,
} from '../options/option.parsers.js';
import { CHECK_NAMES, type CheckName } from '../verify/verify.checks.js';
import { deployPlan, imagesToShip } from './deploy.plan.js';
import {
  buildImages,
  composeUp,
  hostImageIds,
  loadImages,
  localImageIds,
  preflight,
  saveImages,
  say,
  stageFiles,
  syncFiles,
  verifyDeployment,
} from './deploy.steps.js';
import { parseDestination, type SshTarget } from './ssh.target.js';

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
      "Deploy the compose lab to a Docker host over SSH: preflight (key login, docker, compose v2, disk space), build the repository's images here and copy and load there only those whose image ID the host lacks (docker save → rsync → docker load), rsync compose/compose.yaml, .env and compose/config/** to ~/lab/app (--delete only there), `docker compose -p PROJECT up -d --no-build --wait`, then `lab verify` against it. Never deletes volumes: a re-deploy keeps all data.",
    )
    .requiredOption('--host <user@address>', 'where to deploy, e.g. deploy@192.168.122.250')
    .option('--identity <key>', "SSH private key (default: ssh's own choice)")
    .addOption(numberOption('--port <port>', 'SSH port', tcpPort).default(22))
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
    .addOption(
      namesOption('--services <names>', 'deploy only these services (comma-separated; default all)').default(
        [],
      ),
    )
    .addOption(
      repeatableOption(
        '--build-arg <KEY=VALUE>',
        'build argument for the local image builds (repeatable), e.g. NODE_IMAGE=…',
      ),
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
      numberOption('--min-free-gib <GiB>', 'free disk space the host must have', { unit: 'GiB' }).default(3),
    )
    .option('--no-verify', 'skip `lab verify` after the deploy')
    .option('--verify-url <url>', 'the frontend as this machine reaches it (default http://ADDRESS:8080)')
    .addOption(
      namesOption('--verify-only <checks>', `verify only these checks (${CHECK_NAMES.join(', ')})`, {
        noun: 'check',
        names: CHECK_NAMES,
      }),
    )
    .addOption(
      numberOption('--verify-wait <seconds>', 'how long verify waits for telemetry', seconds).default(90),
    )
    .option('--workspace <dir>', 'the repository root', defaultWorkspace)
    .action(async (options: DeployOptions) => deploy(options));
}

/**
 * Deploys in named steps: plan (ask the stack) → preflight → stage the files → build the images and
 * save those the host lacks → sync the files → load them → compose up → verify.
 */
export async function deploy(options: DeployOptions): Promise<void> {
  const started = Date.now();
  const target = sshTargetOf(options);
  if (!existsSync(composePaths(options.workspace).composeFile))
    throw usageError(
      `no compose/compose.yaml under ${options.workspace}`,
      'run from the repository or pass --workspace',
    );
  const plan = deployPlan(workspaceStack(options.workspace), options.services);

  const host = await preflight(target, options.minFreeGib);
  const stage = await mkdtemp(join(tmpdir(), 'obslab-deploy-'));
  const archive = join(stage, 'images.tar');
  try {
    const { keepRemoteEnv } = await stageFiles(stage, plan, options.workspace, options.envFile, host.hasEnv);
    if (plan.builds.length > 0) await buildImages(plan.builds, options);
    const images = plan.builds.map((build) => build.image);
    const ship = images.length > 0 ? await imagesHostLacks(target, images, options.docker) : [];
    if (ship.length > 0) await saveImages(ship, archive, options.docker);
    await syncFiles(target, stage, keepRemoteEnv);
    if (ship.length > 0) await loadImages(target, archive);
    await composeUp(target, options.project, plan.services);
    say(`deployed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }

  if (!options.verify) return;
  await verifyDeployment(new URL(options.verifyUrl ?? `http://${target.host}:8080`), {
    ...(options.verifyOnly ? { only: options.verifyOnly } : {}),
    waitSeconds: options.verifyWait,
  });
}

/** The images the host lacks or has under another ID; says which are there already. */
async function imagesHostLacks(
  target: SshTarget,
  images: readonly string[],
  docker: string,
): Promise<string[]> {
  const local = await localImageIds(docker, images);
  const ship = imagesToShip(local, await hostImageIds(target));
  for (const [image, id] of local) {
    if (!ship.includes(image)) say(`${image} is on the host already (${id.slice(0, 19)}): not copied`);
  }
  return ship;
}

function sshTargetOf(options: DeployOptions): SshTarget {
  const { user, host } = parseDestination(options.host);
  return {
    user,
    host,
    port: options.port,
    knownHosts: options.knownHosts,
    ...(options.identity ? { identity: resolve(options.identity) } : {}),
  };
}
