// The containerized Jenkins of kvm/jenkins: what can be checked without a registry or a running
// Jenkins (YAML, the compose model as Compose v2 loads it, the pipeline's shape).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const jenkinsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../jenkins');
const read = (file: string) => readFileSync(join(jenkinsDir, file), 'utf8');

/** A DOCKER_CONFIG with the Compose v2 plugin that scripts/ensure-compose.sh built, if any. */
function composePlugin(): string | undefined {
  const cache = join(process.env['OBSLAB_CACHE'] ?? join(homedir(), '.cache/obslab'), 'compose');
  if (!existsSync(cache)) return undefined;
  return readdirSync(cache)
    .map((version) => join(cache, version, 'docker-config'))
    .find((dir) => existsSync(join(dir, 'cli-plugins/docker-compose')));
}

describe('kvm/jenkins', () => {
  it('pins the controller LTS and every plugin', () => {
    assert.match(
      read('controller/Dockerfile'),
      /^ARG JENKINS_IMAGE=jenkins\/jenkins:\d+\.\d+\.\d+-lts-jdk21$/m,
    );
    assert.match(read('controller/Dockerfile'), /runSetupWizard=false/);
    const plugins = read('controller/plugins.txt')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'));
    assert.ok(plugins.length > 0);
    for (const plugin of plugins) assert.match(plugin, /^[a-z0-9-]+:[\w.-]+$/, `unpinned plugin: ${plugin}`);
    for (const needed of [
      'configuration-as-code',
      'job-dsl',
      'workflow-aggregator',
      'ssh-credentials',
      'matrix-auth',
    ])
      assert.ok(
        plugins.some((plugin) => plugin.startsWith(`${needed}:`)),
        `missing ${needed}`,
      );
  });

  it('configures as code: admin from the environment, no anonymous access, the vm-ssh credential from a file, the job', () => {
    const casc = parse(read('controller/casc.yaml')) as {
      jenkins: {
        securityRealm: { local: { allowsSignup: boolean; users: { id: string; password: string }[] } };
        authorizationStrategy: { globalMatrix: { entries: { user?: { name: string } }[] } };
      };
      credentials: {
        system: {
          domainCredentials: {
            credentials: { basicSSHUserPrivateKey?: { id: string; privateKeySource: unknown } }[];
          }[];
        };
      };
      jobs: { script: string }[];
    };
    assert.equal(casc.jenkins.securityRealm.local.allowsSignup, false);
    assert.equal(casc.jenkins.securityRealm.local.users[0]!.password, '${JENKINS_ADMIN_PASSWORD}');
    const grantees = casc.jenkins.authorizationStrategy.globalMatrix.entries.map((entry) => entry.user?.name);
    assert.deepEqual(grantees, ['admin'], 'only admin has permissions: anonymous has none');
    const key = casc.credentials.system.domainCredentials[0]!.credentials[0]!.basicSSHUserPrivateKey!;
    assert.equal(key.id, 'vm-ssh');
    assert.deepEqual(key.privateKeySource, {
      directEntry: { privateKey: '${readFile:/run/secrets/vm-ssh-key}' },
    });
    assert.match(casc.jobs[0]!.script, /scriptPath\('kvm\/jenkins\/Jenkinsfile'\)/);
  });

  it('runs test → sync and up → verify with the vm-ssh credential, never down -v', () => {
    const jenkinsfile = read('Jenkinsfile');
    const stages = [...jenkinsfile.matchAll(/stage\('([^']+)'\)/g)].map((match) => match[1]);
    assert.deepEqual(stages, ['Test', 'Sync and up', 'Verify']);
    assert.match(jenkinsfile, /credentialsId: 'vm-ssh'/);
    assert.match(jenkinsfile, /lab deploy/);
    assert.doesNotMatch(jenkinsfile, /down -v|--volumes/);
  });

  it('gives the agent the deploy tools: Docker CLI with compose, rsync, ssh, jq, Node 24', () => {
    const dockerfile = read('agent/Dockerfile');
    for (const tool of ['docker-cli', 'docker-compose', 'rsync', 'openssh-client', 'jq'])
      assert.match(dockerfile, new RegExp(`\\b${tool}\\b`));
    assert.match(dockerfile, /^ARG NODE_VERSION=24\.\d+\.\d+$/m);
  });

  it(
    'is a compose model that Compose v2 loads',
    { skip: composePlugin() ? false : 'Compose v2 not built yet (scripts/ensure-compose.sh)' },
    () => {
      const out = execFileSync(
        existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker',
        ['compose', '-f', join(jenkinsDir, 'compose.yaml'), 'config', '--format', 'json'],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            DOCKER_CONFIG: composePlugin()!,
            JENKINS_ADMIN_PASSWORD: 'test',
            VM_SSH_KEY: '/dev/null',
          },
        },
      );
      const model = JSON.parse(out) as { services: Record<string, { ports?: { host_ip: string }[] }> };
      assert.deepEqual(Object.keys(model.services).sort(), ['agent', 'controller']);
      assert.equal(model.services['controller']!.ports![0]!.host_ip, '127.0.0.1');
    },
  );
});
