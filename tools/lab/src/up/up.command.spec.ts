import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LabError } from '../lab.error.js';
import { runLab } from '../testing/run-lab.js';
import { ensureComposeEnv, parseEnv } from './compose-env.js';
import { dockerEngineVersion, ensureComposeConfigs, findCompose } from './compose.tool.js';
import { compose, composeArgs, composeFailures, parseServiceStates } from './local-lab.js';
import { CommandError } from '@obslab/process';
import { stepError } from '../deploy/step.runner.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const systemDocker = '/usr/bin/docker';

function dockerHasCompose(): boolean {
  try {
    execFileSync(systemDocker, ['compose', 'version'], {
      stdio: 'ignore',
      env: { PATH: '/usr/bin:/bin', HOME: tmpdir() },
    });
    return true;
  } catch {
    return false;
  }
}

describe('lab up, down, status', () => {
  let scratch: string;
  /** A workspace with only what `lab up` reads before it needs Docker. */
  let workspace: string;
  /** A PATH with no docker on it (the CLI is started with this test's own Node). */
  let noDocker: NodeJS.ProcessEnv;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'obslab-lab-up-'));
    workspace = join(scratch, 'repo');
    await mkdir(join(workspace, 'compose'), { recursive: true });
    await copyFile(join(repo, 'compose/.env.example'), join(workspace, 'compose/.env.example'));
    await copyFile(join(repo, 'compose/compose.yaml'), join(workspace, 'compose/compose.yaml'));
    await mkdir(join(scratch, 'empty-bin'));
    noDocker = {
      ...process.env,
      PATH: join(scratch, 'empty-bin'),
      HOME: scratch,
      OBSLAB_CACHE: join(scratch, 'cache'),
      DOCKER: '',
    };
    delete noDocker['DOCKER'];
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  for (const command of ['up', 'down', 'status']) {
    it(`lab ${command} --help lists its options, extra compose files included`, async () => {
      const { code, stdout } = await runLab([command, '--help']);
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`^Usage: lab ${command} \\[options\\]`, 'm'));
      assert.match(stdout, /-f, --file <compose file>/);
      assert.match(stdout, /--env-file <file>/);
    });
  }

  it('lists up, down and status in the top-level help', async () => {
    const { stdout } = await runLab(['--help']);
    for (const command of ['up', 'down', 'status'])
      assert.match(stdout, new RegExp(`^  ${command} \\[options\\]`, 'm'));
  });

  it('exits with 2 on a bad value or a stray argument, before touching anything', async () => {
    const bad = await runLab(['up', '--workspace', workspace, '--verify-wait', 'soon'], noDocker);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--verify-wait must be a positive number of seconds, got "soon"/);
    const stray = await runLab(['down', 'now'], noDocker);
    assert.equal(stray.code, 2, stray.stderr);
    assert.match(stray.stderr, /too many arguments/);
    assert.ok(!existsSync(join(workspace, 'compose/.env')), 'no env file made');
  });

  it('on the first run makes compose/.env (mode 0600, generated password never printed), then says how to get Docker', async () => {
    const { code, stdout, stderr } = await runLab(['up', '--workspace', workspace], noDocker);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /\[1\/5\] configuration: .*compose\/\.env/);
    assert.match(stderr, /made .*compose\/\.env \(mode 0600\) with a generated Grafana admin password/);
    assert.match(stderr, /\[2\/5\] checking docker and Docker Compose v2/);
    assert.match(stderr, /^lab: docker is not installed: no "docker" on the PATH$/m);
    assert.match(
      stderr,
      /→ Debian 12: sudo apt-get install docker\.io, then bash scripts\/ensure-compose\.sh/,
    );

    const file = join(workspace, 'compose/.env');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const values = parseEnv(await readFile(file, 'utf8'));
    const password = values['GRAFANA_ADMIN_PASSWORD']!;
    assert.match(password, /^[A-Za-z0-9_-]{24}$/);
    assert.equal(values['LAB_BIND_ADDRESS'], '127.0.0.1', 'the rest of the example is kept');
    assert.ok(!stdout.includes(password) && !stderr.includes(password), 'the password is not printed');
  });

  it('keeps compose/.env on the next runs, and makes it private again if it was opened up', async () => {
    const file = join(workspace, 'compose/.env');
    const before = await readFile(file, 'utf8');
    await chmod(file, 0o644);
    const { code, stderr } = await runLab(['up', '--workspace', workspace], noDocker);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /using .*compose\/\.env as it is/);
    assert.equal(await readFile(file, 'utf8'), before);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it('lab down and lab status also say how to get Docker when it is missing', async () => {
    for (const command of ['down', 'status']) {
      const { code, stderr } = await runLab([command, '--workspace', workspace], noDocker);
      assert.equal(code, 1, `${command}: ${stderr}`);
      assert.match(stderr, /docker is not installed/);
      assert.match(stderr, /ensure-compose\.sh/);
    }
  });

  it(
    'says how to get Compose v2 when the docker CLI has none (as on Debian 12)',
    {
      skip: !existsSync(systemDocker)
        ? `no ${systemDocker}`
        : dockerHasCompose()
          ? 'this docker has Compose v2'
          : false,
    },
    async () => {
      const bin = join(scratch, 'docker-bin');
      await mkdir(bin, { recursive: true });
      await symlink(systemDocker, join(bin, 'docker')).catch(() => undefined);
      const { code, stderr } = await runLab(['up', '--workspace', workspace], { ...noDocker, PATH: bin });
      assert.equal(code, 1, stderr);
      assert.match(stderr, /^lab: Docker Compose v2 is missing: `docker compose version` says ".+"$/m);
      assert.match(stderr, /→ build it once with bash scripts\/ensure-compose\.sh \(needs Go/);
    },
  );

  it('refuses an existing compose/.env without a real Grafana password, and says what to do', async () => {
    const other = join(scratch, 'placeholder');
    await mkdir(join(other, 'compose'), { recursive: true });
    await copyFile(join(repo, 'compose/.env.example'), join(other, 'compose/.env'));
    await assert.rejects(
      ensureComposeEnv(join(other, 'compose/.env'), join(repo, 'compose/.env.example')),
      (error) => {
        assert.ok(error instanceof LabError);
        assert.match(error.message, /no GRAFANA_ADMIN_PASSWORD \(or still the example's "change-me"\)/);
        assert.match(error.hint ?? '', /delete the file and lab up makes a new one/);
        return true;
      },
    );
  });

  it('makes a different password for each new file', async () => {
    const dir = await mkdtemp(join(scratch, 'env-'));
    const a = await ensureComposeEnv(join(dir, 'a.env'), join(repo, 'compose/.env.example'));
    const b = await ensureComposeEnv(join(dir, 'b.env'), join(repo, 'compose/.env.example'));
    assert.ok(a.created && b.created);
    assert.notEqual(a.values['GRAFANA_ADMIN_PASSWORD'], b.values['GRAFANA_ADMIN_PASSWORD']);
    const again = await ensureComposeEnv(join(dir, 'a.env'), join(repo, 'compose/.env.example'));
    assert.equal(again.created, false);
    assert.equal(again.values['GRAFANA_ADMIN_PASSWORD'], a.values['GRAFANA_ADMIN_PASSWORD']);
  });

  it('passes extra compose files (overrides) after compose.yaml, and the project name', () => {
    const args = composeArgs({
      workspace,
      file: ['/tmp/override.yaml', '/tmp/more.yaml'],
      project: 'labtest',
      docker: 'docker',
    });
    assert.deepEqual(args.slice(0, 9), [
      'compose',
      '--project-name',
      'labtest',
      '--file',
      join(workspace, 'compose/compose.yaml'),
      '--file',
      '/tmp/override.yaml',
      '--file',
      '/tmp/more.yaml',
    ]);
    assert.deepEqual(args.slice(9), ['--env-file', join(workspace, 'compose/.env')]);
  });

  it('reads docker compose ps --format json in both of its shapes', () => {
    const rows = [
      { Service: 'frontend', State: 'running', Health: 'healthy' },
      { Service: 'tempo', State: 'running', Health: '' },
    ];
    assert.deepEqual(parseServiceStates(rows.map((row) => JSON.stringify(row)).join('\n')), rows);
    assert.deepEqual(parseServiceStates(JSON.stringify(rows)), rows);
    assert.deepEqual(parseServiceStates('\n'), []);
  });

  it(
    'says how to start the Docker engine when it does not answer',
    { skip: existsSync(systemDocker) ? false : `no ${systemDocker}` },
    async () => {
      const env = { ...process.env, DOCKER_HOST: `unix://${join(scratch, 'no-dockerd.sock')}` };
      await assert.rejects(
        dockerEngineVersion({ docker: systemDocker, env, composeVersion: '2', source: 'plugin' }),
        (error) => {
          assert.ok(error instanceof LabError, String(error));
          assert.match(error.message, /asking the Docker engine for its version failed/);
          assert.match(error.hint ?? '', /start the Docker engine: sudo systemctl start docker/);
          return true;
        },
      );
    },
  );

  // With the Compose v2 that scripts/ensure-compose.sh builds (skipped until it has run here).
  const built = existsSync(systemDocker) && !dockerHasCompose() ? ensureComposeConfigs() : [];
  const withBuiltCompose = built.length
    ? false
    : 'no Compose v2 built by scripts/ensure-compose.sh in $OBSLAB_CACHE (or the docker CLI has its own)';

  it(
    'finds the Compose v2 that scripts/ensure-compose.sh built, then says how to start the engine',
    { skip: withBuiltCompose },
    async () => {
      const bin = join(scratch, 'docker-bin-2');
      await mkdir(bin, { recursive: true });
      await symlink(systemDocker, join(bin, 'docker')).catch(() => undefined);
      const { code, stderr } = await runLab(['status', '--workspace', workspace], {
        ...noDocker,
        PATH: bin,
        OBSLAB_CACHE: process.env['OBSLAB_CACHE'] ?? '',
        HOME: process.env['HOME'],
        DOCKER_HOST: `unix://${join(scratch, 'no-dockerd.sock')}`,
      });
      assert.equal(code, 1, stderr);
      assert.match(stderr, /compose 2\.\d+\.\d+ \(built by scripts\/ensure-compose\.sh: DOCKER_CONFIG=.+\)/);
      assert.match(stderr, /→ start the Docker engine/);
    },
  );

  it(
    'hands the override files to compose, which merges them (compose config, no engine needed)',
    { skip: withBuiltCompose },
    async () => {
      const override = join(scratch, 'override.yaml');
      await writeFile(override, 'services:\n  task-api:\n    environment:\n      LOG_LEVEL: debug\n');
      const options = { workspace, file: [override], project: 'labtest', docker: systemDocker };
      const tool = await findCompose(systemDocker);
      assert.equal(tool.source, 'ensure-compose');
      const { stdout } = await compose(tool, options, 'compose config', ['config', '--format', 'json']);
      const model = JSON.parse(stdout) as {
        name: string;
        services: Record<string, { environment: Record<string, string> }>;
      };
      assert.equal(model.name, 'labtest');
      assert.equal(model.services['task-api']!.environment['LOG_LEVEL'], 'debug');
    },
  );

  it('turns what compose says when the lab cannot start into what to do', () => {
    const cases: [string, RegExp][] = [
      [
        'Error response from daemon: driver failed programming external connectivity on endpoint obslab-frontend-1: Bind for 127.0.0.1:8080 failed: port is already allocated',
        /FRONTEND_PORT \/ GRAFANA_PORT in compose\/\.env/,
      ],
      [
        'Error response from daemon: pull access denied for grafana/grafana, repository does not exist',
        /could not be pulled/,
      ],
      [
        'dependency failed to start: container obslab-task-api-1 is unhealthy',
        /npx lab status, then docker compose/,
      ],
      [
        'error while interpolating services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD: required variable GRAFANA_ADMIN_PASSWORD is missing a value',
        /delete the file and lab up makes a new one/,
      ],
    ];
    for (const [stderr, hint] of cases) {
      const error = stepError(
        'docker compose up',
        new CommandError(['docker', 'compose', 'up'], '/', 1, stderr, 'exited with code 1'),
        composeFailures,
      );
      assert.match(error.hint ?? '', hint, stderr);
      assert.match(error.message, /docker compose up failed: .*exited with code 1/);
    }
  });
});
