// One compose project of the e2e suites: the real compose file plus overrides, a unique project
// name, an explicit env file (a developer's compose/.env is never read), and the inspections the
// assertions need.
import { type RunResult } from '@obslab/process';
import { docker } from './docker.cli.js';

/** The parts of `docker inspect` the suites read. */
export interface ContainerState {
  readonly Id: string;
  readonly Name: string;
  readonly State: {
    readonly Status: string;
    readonly StartedAt: string;
    readonly Health?: {
      readonly Status: string;
      readonly Log: readonly { readonly Start: string; readonly End: string; readonly ExitCode: number }[];
    };
  };
  readonly NetworkSettings: { readonly Networks: Record<string, { readonly IPAddress: string }> };
}

export interface ComposeProjectProps {
  /** Unique project name (containers, networks and volumes are prefixed with it). */
  readonly name: string;
  /** Compose files, the real one first (its directory is the project directory). */
  readonly files: readonly string[];
  /** The env file passed with --env-file. */
  readonly envFile: string;
  /** DOCKER_CONFIG holding the Compose v2 plugin, if not the CLI's own. */
  readonly dockerConfig?: string;
}

export class ComposeProject {
  constructor(readonly props: ComposeProjectProps) {}

  /** `docker compose -p NAME -f … --env-file … <args>`. */
  compose(args: readonly string[], timeoutMs = 300_000): Promise<RunResult> {
    const { name, files, envFile, dockerConfig } = this.props;
    return docker(
      ['compose', '-p', name, ...files.flatMap((file) => ['-f', file]), '--env-file', envFile, ...args],
      { timeoutMs, ...(dockerConfig ? { dockerConfig } : {}) },
    );
  }

  /** `up -d --wait` of the given services (and what they depend on), never pulling. */
  async up(services: readonly string[]): Promise<void> {
    await this.compose(['up', '--detach', '--wait', '--pull', 'never', '--no-build', ...services], 600_000);
  }

  async containerId(service: string): Promise<string> {
    const { stdout } = await this.compose(['ps', '--all', '--quiet', service]);
    const id = stdout.trim().split('\n')[0];
    if (!id) throw new Error(`compose project ${this.props.name} has no container for service ${service}`);
    return id;
  }

  async inspect(service: string): Promise<ContainerState> {
    const { stdout } = await docker(['inspect', await this.containerId(service)]);
    const [state] = JSON.parse(stdout) as ContainerState[];
    if (!state) throw new Error(`docker inspect returned nothing for ${service}`);
    return state;
  }

  async health(service: string): Promise<string> {
    return (await this.inspect(service)).State.Health?.Status ?? 'none';
  }

  /** Runs a command in the service's container. */
  async exec(service: string, command: readonly string[]): Promise<string> {
    const { stdout } = await docker(['exec', await this.containerId(service), ...command], {
      timeoutMs: 30_000,
    });
    return stdout;
  }

  /** Names of the project's volumes. */
  async volumes(): Promise<string[]> {
    const { stdout } = await docker([
      'volume',
      'ls',
      '--quiet',
      '--filter',
      `label=com.docker.compose.project=${this.props.name}`,
    ]);
    return stdout.split('\n').filter(Boolean);
  }

  /** `down` (containers and network); with `volumes`, the named volumes too. */
  async down(options: { readonly volumes: boolean }): Promise<void> {
    await this.compose([
      'down',
      '--remove-orphans',
      '--timeout',
      '20',
      ...(options.volumes ? ['--volumes'] : []),
    ]);
  }
}
