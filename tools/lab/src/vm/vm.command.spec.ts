import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runLab } from '../testing/run-lab.js';

function keyPair(): string {
  const key = join(mkdtempSync(join(tmpdir(), 'obslab-lab-vm-')), 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lab-vm-spec', '-f', key]);
  return key;
}

describe('lab vm', () => {
  it('lists render, up, down, status and ssh in its help', async () => {
    const { code, stdout } = await runLab(['vm', '--help']);
    assert.equal(code, 0);
    for (const command of ['render', 'up', 'down', 'status', 'ssh'])
      assert.match(stdout, new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('renders the network, the domain and the cloud-init seed for review without libvirt', async () => {
    const key = keyPair();
    const out = mkdtempSync(join(tmpdir(), 'obslab-lab-vm-out-'));
    const { code, stdout, stderr } = await runLab([
      'vm',
      'render',
      '--identity',
      key,
      '--out',
      out,
      '--domain-type',
      'qemu',
    ]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(readdirSync(out).sort(), [
      '10-obslab.conf',
      'domain.xml',
      'firewall.nft',
      'meta-data',
      'network-config',
      'network.xml',
      'obslab-firewall.service',
      'user-data',
    ]);
    assert.equal(stdout.trim().split('\n').length, 8);
    assert.match(
      readFileSync(join(out, 'user-data'), 'utf8'),
      new RegExp(readFileSync(`${key}.pub`, 'utf8').trim().split(' ')[1]!.replaceAll('+', '\\+')),
    );
    assert.match(readFileSync(join(out, 'domain.xml'), 'utf8'), /<domain type="qemu">/);
    assert.match(readFileSync(join(out, 'network.xml'), 'utf8'), /ip="192.168.122.250"/);
  });

  it('exits with 2 and names every bad option, writing nothing', async () => {
    const key = keyPair();
    const out = join(mkdtempSync(join(tmpdir(), 'obslab-lab-vm-bad-')), 'out');
    const { code, stderr } = await runLab([
      'vm',
      'render',
      '--identity',
      key,
      '--out',
      out,
      '--address',
      '10.1.2.3',
      '--memory',
      '512',
    ]);
    assert.equal(code, 2);
    assert.match(stderr, /address 10\.1\.2\.3: outside 192\.168\.122\.1\/24/);
    assert.match(stderr, /memoryMiB 512/);
    assert.throws(() => readdirSync(out));
  });

  it('says how to make the key when the public key is missing', async () => {
    const { code, stderr } = await runLab([
      'vm',
      'render',
      '--identity',
      '/nonexistent/id_ed25519',
      '--out',
      tmpdir(),
    ]);
    assert.equal(code, 2);
    assert.match(stderr, /no public key at \/nonexistent\/id_ed25519\.pub/);
    assert.match(stderr, /ssh-keygen -t ed25519/);
  });

  it('refuses to start without the base image and says how to build one', async () => {
    const key = keyPair();
    const { code, stderr } = await runLab([
      'vm',
      'up',
      '--identity',
      key,
      '--base-image',
      '/nonexistent/base.qcow2',
    ]);
    assert.equal(code, 2);
    assert.match(stderr, /base image \/nonexistent\/base\.qcow2 does not exist/);
    assert.match(stderr, /scripts\/build-vm-image\.sh/);
  });
});

describe('lab deploy', () => {
  it('documents its options', async () => {
    const { code, stdout } = await runLab(['deploy', '--help']);
    assert.equal(code, 0);
    for (const option of ['--host', '--identity', '--project', '--port', '--services', '--no-verify'])
      assert.ok(stdout.includes(option), option);
  });

  it('rejects a destination that is not user@address', async () => {
    const { code, stderr } = await runLab(['deploy', '--host', '192.168.122.250']);
    assert.equal(code, 2);
    assert.match(stderr, /expected user@address/);
  });

  it('names the step, the command and the hint when SSH cannot reach the host', async () => {
    const { code, stderr } = await runLab([
      'deploy',
      '--host',
      'deploy@127.0.0.1',
      '--port',
      '1',
      '--known-hosts',
      '/dev/null',
      '--no-verify',
    ]);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /preflight \(SSH login, docker, compose, disk space\) failed: `ssh -o BatchMode=yes/,
    );
    assert.match(stderr, /exited with code 255/);
    assert.match(stderr, /→ SSH is not reachable/);
  });
});
