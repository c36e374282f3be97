// The lab VM for real: a Debian image built with debootstrap (scripts/build-vm-image.sh), booted
// under QEMU (TCG) through libvirt by `lab vm up` with the project's own cloud-init seed, on
// QEMU user-mode networking restricted to loopback forwards. Then `lab deploy` puts task-api and
// the frontend from the real compose file into it, and `lab verify` checks them through the
// forwarded port. The NAT network definition is validated, not booted. Skipped locally when
// libvirt, QEMU or root are missing; fails when CI=true.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, linkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CommandError, freePorts, run } from '@obslab/process';
import {
  type DockerDaemon,
  dockerProgram,
  ensureBaseImages,
  ensureComposeV2,
  ensureDockerd,
} from './docker/docker.cli.js';
import { ensureLibvirtd, type LibvirtDaemon, libvirtUri, vmSkipReason } from './vm/libvirt.daemon.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const lab = fileURLToPath(import.meta.resolve('@obslab/lab/bin/lab.js'));
const skip = vmSkipReason();
const log = (line: string) => console.error(`# ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const value = await fn();
  log(`${what}: ${seconds(Date.now() - started)}`);
  return value;
}

/** Hard-links a file into `dir` (same file system) or copies it, readable by libvirt's QEMU user. */
function place(file: string, dir: string): string {
  const target = join(dir, file.split('/').at(-1)!);
  try {
    linkSync(file, target);
  } catch {
    copyFileSync(file, target);
  }
  chmodSync(target, 0o644);
  return target;
}

describe(
  'the lab VM under QEMU through libvirt: key-only SSH, firewall, Docker, then lab deploy of task-api and the frontend',
  { skip, timeout: 60 * 60_000 },
  () => {
    const suiteStarted = Date.now();
    const runId = randomBytes(3).toString('hex');
    const name = `obslab-e2e-${runId}`;
    // QEMU runs as libvirt-qemu: its files live in a world-traversable directory; the key does not.
    const vmDir = mkdtempSync(join(tmpdir(), 'obslab-vm-e2e-'));
    const keyDir = mkdtempSync(join(tmpdir(), 'obslab-vm-key-'));
    const key = join(keyDir, 'id_ed25519');
    const knownHosts = join(keyDir, 'known_hosts');
    let libvirt: LibvirtDaemon | undefined;
    let daemon: DockerDaemon | undefined;
    let dockerConfig: string | undefined;
    let sshPort = 0;
    let appPort = 0;
    let vmArgs: string[] = [];
    let vmDefined = false;

    const labCli = (args: readonly string[], timeoutMs = 20 * 60_000, env: NodeJS.ProcessEnv = process.env) =>
      run(process.execPath, [lab, ...args], { cwd: root, timeoutMs, env });
    const ssh = (user: string, command: string, extra: readonly string[] = []) =>
      run(
        'ssh',
        [
          '-o',
          'BatchMode=yes',
          '-o',
          'StrictHostKeyChecking=accept-new',
          '-o',
          `UserKnownHostsFile=${knownHosts}`,
          '-o',
          'ConnectTimeout=10',
          '-p',
          String(sshPort),
          ...extra,
          `${user}@127.0.0.1`,
          '--',
          command,
        ],
        { timeoutMs: 120_000 },
      );
    const asDeploy = (command: string) => ssh('deploy', command, ['-i', key, '-o', 'IdentitiesOnly=yes']);

    before(
      async () => {
        const image = await timed('VM image ready (scripts/build-vm-image.sh)', async () => {
          const { stdout } = await run('bash', ['scripts/build-vm-image.sh'], {
            cwd: root,
            timeoutMs: 20 * 60_000,
          });
          return stdout.trim().split('\n').at(-1)!;
        });
        libvirt = await timed('libvirtd ready', () => ensureLibvirtd(log));
        chmodSync(vmDir, 0o755);
        const base = place(join(image, 'base.qcow2'), vmDir);
        const kernel = place(join(image, 'vmlinuz'), vmDir);
        const initrd = place(join(image, 'initrd.img'), vmDir);
        await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'obslab-e2e', '-f', key]);
        [sshPort = 0, appPort = 0] = await freePorts(2);
        vmArgs = [
          '--name',
          name,
          '--identity',
          key,
          '--connect',
          libvirtUri,
          '--domain-type',
          'qemu',
          '--vcpus',
          '2',
          '--memory',
          '2048',
          '--disk',
          '12',
          '--base-image',
          base,
          '--kernel',
          kernel,
          '--initrd',
          initrd,
          '--state-dir',
          join(vmDir, 'state'),
          '--forward',
          `22:${sshPort}`,
          '--forward',
          `8080:${appPort}`,
        ];
        vmDefined = true;
        const up = await timed('lab vm up (define, boot, SSH, cloud-init done)', () =>
          labCli(['vm', 'up', ...vmArgs, '--timeout', '900']),
        );
        log(
          up.stderr
            .trim()
            .split('\n')
            .map((line) => `  ${line}`)
            .join('\n'),
        );
        assert.equal(up.stdout.trim(), `deploy@127.0.0.1 port ${sshPort}`);
        // The lab VM's known_hosts is the one `lab vm up` filled.
        copyFileSync(join(vmDir, 'state', 'known_hosts'), knownHosts);
      },
      { timeout: 40 * 60_000 },
    );

    after(
      async () => {
        try {
          if (vmDefined)
            await timed('lab vm down --purge', () =>
              labCli(['vm', 'down', ...vmArgs, '--purge', '--timeout', '30'], 180_000),
            ).catch((error: unknown) => log(`vm down failed: ${String(error)}`));
        } finally {
          await daemon?.stop();
          await libvirt?.stop();
          rmSync(vmDir, { recursive: true, force: true });
          rmSync(keyDir, { recursive: true, force: true });
          log(`suite: ${seconds(Date.now() - suiteStarted)}`);
        }
      },
      { timeout: 300_000 },
    );

    it('lets deploy in with the key, in the docker group', async () => {
      const { stdout } = await asDeploy('id -un; id -Gn');
      const [user, groups] = stdout.trim().split('\n');
      assert.equal(user, 'deploy');
      assert.ok(groups!.split(' ').includes('docker'), `groups: ${groups}`);
    });

    it('runs sshd with passwords, keyboard-interactive and root login off', async () => {
      const { stdout } = await asDeploy('sudo -n /usr/sbin/sshd -T');
      assert.match(stdout, /^passwordauthentication no$/m);
      assert.match(stdout, /^kbdinteractiveauthentication no$/m);
      assert.match(stdout, /^permitrootlogin no$/m);
      const { stdout: dropIn } = await asDeploy('cat /etc/ssh/sshd_config.d/10-obslab.conf');
      assert.match(dropIn, /Generated by @obslab\/kvm/);
    });

    it('refuses a login without the key: the server offers publickey only', async () => {
      await assert.rejects(
        ssh('deploy', 'true', [
          '-o',
          'PubkeyAuthentication=no',
          '-o',
          'PreferredAuthentications=password,keyboard-interactive',
        ]),
        (error: unknown) =>
          error instanceof CommandError && /Permission denied \(publickey\)/.test(error.stderr),
      );
    });

    it('refuses root, even with the deploy key', async () => {
      await assert.rejects(
        ssh('root', 'true', ['-i', key, '-o', 'IdentitiesOnly=yes']),
        (error: unknown) =>
          error instanceof CommandError && /Permission denied \(publickey\)/.test(error.stderr),
      );
    });

    it('has the host firewall loaded: input dropped except SSH and the published ports', async () => {
      const { stdout } = await asDeploy('sudo -n /usr/sbin/nft list ruleset');
      assert.match(stdout, /table inet obslab_host/);
      assert.match(stdout, /policy drop;/);
      assert.match(stdout, /tcp dport \{ 3000, 8080 \} accept/);
    });

    it('runs Docker with Compose v2 for deploy', async () => {
      const { stdout } = await asDeploy(
        "docker info --format '{{.ServerVersion}} {{.Driver}}'; docker compose version --short",
      );
      const [info, compose] = stdout.trim().split('\n');
      assert.match(info!, /^\d+\.\d+\.\d+\S* overlay2$/);
      assert.match(compose!, /^v?2\./);
    });

    it('reports the VM running and reachable (lab vm status, lab vm ssh)', async () => {
      const { stdout } = await labCli(['vm', 'status', ...vmArgs], 60_000);
      assert.match(stdout, new RegExp(`domain   ${name}: running`));
      assert.match(stdout, /ssh .*: answers/);
      const { stdout: hostname } = await labCli(['vm', 'ssh', ...vmArgs, '--', 'hostname'], 60_000);
      assert.equal(hostname.trim(), name);
    });

    it('renders a NAT network definition that libvirt validates (not booted here)', async () => {
      const out = join(vmDir, 'rendered-nat');
      await labCli(['vm', 'render', '--identity', key, '--out', out], 60_000);
      const result = await run('virt-xml-validate', [join(out, 'network.xml')]);
      assert.match(result.stdout + result.stderr, /validates/);
    });

    it(
      'deploys task-api and the frontend with lab deploy, verifies them, and keeps the data on a second deploy',
      { timeout: 40 * 60_000 },
      async () => {
        const deployStarted = Date.now();
        daemon = await timed('dockerd ready', () => ensureDockerd(log));
        dockerConfig = await timed('compose v2 ready', () => ensureComposeV2(root));
        await timed('base images ready', () => ensureBaseImages(root));
        const env = { ...process.env, ...(dockerConfig ? { DOCKER_CONFIG: dockerConfig } : {}) };
        const deployArgs = [
          'deploy',
          '--host',
          'deploy@127.0.0.1',
          '--port',
          String(sshPort),
          '--identity',
          key,
          '--known-hosts',
          knownHosts,
          '--services',
          'task-api,frontend',
          '--build-network',
          'host',
          '--build-arg',
          'NODE_IMAGE=obslab-local/node:24',
          '--build-arg',
          'NGINX_IMAGE=obslab-local/nginx-unprivileged:test',
          '--docker',
          dockerProgram,
          '--verify-url',
          `http://127.0.0.1:${appPort}`,
          '--verify-only',
          'app,requests',
        ];
        const first = await timed('first lab deploy (build, save, rsync, load, up --wait, verify)', () =>
          labCli(deployArgs, 40 * 60_000, env),
        );
        log(
          first.stderr
            .trim()
            .split('\n')
            .map((line) => `  ${line}`)
            .join('\n'),
        );
        assert.match(first.stderr, /saving obslab\/frontend:0\.1\.0, obslab\/task-api:0\.1\.0/);
        assert.match(first.stdout, /✔ app:/);
        assert.match(first.stdout, /✔ requests:/);
        log(
          `nothing → deployed and verified VM: ${seconds(Date.now() - suiteStarted)} (this deploy ${seconds(Date.now() - deployStarted)})`,
        );

        const title = `survives a re-deploy ${runId}`;
        const created = await fetch(`http://127.0.0.1:${appPort}/api/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title }),
        });
        assert.equal(created.status, 201);

        const second = await timed('second lab deploy (images on the host already: nothing copied)', () =>
          labCli(deployArgs, 40 * 60_000, env),
        );
        assert.match(second.stderr, /obslab\/task-api:0\.1\.0 is on the host already \(sha256:/);
        assert.match(second.stderr, /obslab\/frontend:0\.1\.0 is on the host already \(sha256:/);
        assert.doesNotMatch(second.stderr, /saving|copying and loading the images/);
        const listed = (await (await fetch(`http://127.0.0.1:${appPort}/api/tasks?limit=1000`)).json()) as {
          tasks: { title: string }[];
        };
        assert.ok(
          listed.tasks.some((task) => task.title === title),
          'the task created before the second deploy is gone',
        );
        const { stdout: files } = await asDeploy('cd ~/lab/app && find . -type f | sort');
        assert.match(files, /^\.\/compose\/compose\.yaml$/m);
        assert.match(files, /^\.\/compose\/config\/prometheus\/prometheus\.yml$/m);
        assert.match(files, /^\.\/compose\/\.env$/m);
        assert.doesNotMatch(files, /services\/|node_modules/);
      },
    );
  },
);
