// Finds Docker and Compose v2 for `lab up|down|status`, and says how to get what is missing
// (Debian 12 ships the Docker engine but only Compose v1; scripts/ensure-compose.sh builds v2).
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CommandError, run } from '@obslab/process';
import { LabError } from '../lab.error.js';
import { step } from '../deploy/step.runner.js';

/** The docker CLI and the environment under which its `compose` subcommand is Compose v2. */
export interface ComposeTool {
  readonly docker: string;
  readonly env: NodeJS.ProcessEnv;
  readonly composeVersion: string;
  /** Where Compose v2 came from: the CLI's own plugin, or a build of scripts/ensure-compose.sh. */
  readonly source: 'plugin' | 'ensure-compose';
}

export const installDockerHint =
  'Debian 12: sudo apt-get install docker.io, then bash scripts/ensure-compose.sh for Compose v2 (Debian 12 has only v1); elsewhere: Docker Engine with its compose plugin (docs.docker.com/engine/install)';
export const installComposeHint =
  "build it once with bash scripts/ensure-compose.sh (needs Go >= 1.24 from go.dev: Debian 12's golang-go is too old), then run this again: lab finds it in ~/.cache/obslab; or install docker-compose-plugin from Docker's apt repository";

const isV2OrLater = (version: string) => /^v?([2-9]|\d{2,})\./.test(version.trim());

/** DOCKER_CONFIG directories that scripts/ensure-compose.sh made, newest Compose version first. */
export function ensureComposeConfigs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = join(env['OBSLAB_CACHE'] || join(homedir(), '.cache', 'obslab'), 'compose');
  let versions: string[];
  try {
    versions = readdirSync(dir);
  } catch {
    return [];
  }
  return versions
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
    .map((version) => join(dir, version, 'docker-config'))
    .filter((config) => existsSync(join(config, 'cli-plugins', 'docker-compose')));
}

/** Checks the docker CLI and Compose v2 (no daemon needed); LabError with what to install otherwise. */
export async function findCompose(
  docker: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ComposeTool> {
  try {
    await run(docker, ['--version'], { env, timeoutMs: 30_000 });
  } catch (error) {
    if (error instanceof CommandError && error.exitCode === null)
      throw new LabError(`docker is not installed: no "${docker}" on the PATH`, installDockerHint);
    throw error;
  }
  // `docker compose version`: "Docker Compose version v2.40.3" from the plugin; Debian 12's docker
  // without it says "docker: 'compose' is not a docker command." (and v1 is a separate program).
  const composeVersion = async (withEnv: NodeJS.ProcessEnv) => {
    try {
      const { stdout } = await run(docker, ['compose', 'version'], { env: withEnv, timeoutMs: 30_000 });
      return /version v?(\d+\.\d+\.\d+\S*)/.exec(stdout)?.[1] ?? stdout.trim();
    } catch (error) {
      if (error instanceof CommandError) return error.stderr.trim().split('\n')[0] ?? '';
      throw error;
    }
  };
  const own = await composeVersion(env);
  if (isV2OrLater(own)) return { docker, env, composeVersion: own.replace(/^v/, ''), source: 'plugin' };
  for (const config of env['DOCKER_CONFIG'] ? [] : ensureComposeConfigs(env)) {
    const withConfig = { ...env, DOCKER_CONFIG: config };
    const built = await composeVersion(withConfig);
    if (isV2OrLater(built))
      return { docker, env: withConfig, composeVersion: built.replace(/^v/, ''), source: 'ensure-compose' };
  }
  throw new LabError(
    `Docker Compose v2 is missing: \`${docker} compose version\` says "${own || 'nothing'}"`,
    installComposeHint,
  );
}

/** Checks that the Docker engine answers; returns its version. */
export async function dockerEngineVersion(tool: ComposeTool): Promise<string> {
  const { stdout } = await step(
    'asking the Docker engine for its version',
    tool.docker,
    ['version', '--format', '{{.Server.Version}}'],
    {
      env: tool.env,
      timeoutMs: 30_000,
      failures: [
        {
          pattern: /permission denied.*docker\.sock/i,
          hint: 'your user may not use Docker: sudo usermod -aG docker "$USER", then log in again',
        },
        {
          pattern:
            /Cannot connect to the Docker daemon|Is the docker daemon running|docker\.sock.*(no such file|connect)/i,
          hint: 'start the Docker engine: sudo systemctl start docker (or check DOCKER_HOST)',
        },
      ],
    },
  );
  return stdout.trim();
}
