import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  renderFirewall,
  renderFirewallUnit,
  renderMetaData,
  renderNetworkConfig,
  renderSshdDropIn,
  renderUserData,
  sshdDropInPath,
} from './cloud-init.js';
import { defineVm } from './vm.config.js';

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAHw2Y1pWnXlnHrTu24QZBgaZ6c47YYwhxH6dgfpZlsk jenkins';
const spec = defineVm({ sshPublicKey: key });

interface UserData {
  users: { name: string; lock_passwd: boolean; ssh_authorized_keys: string[]; sudo: string }[];
  ssh_pwauth: boolean;
  disable_root: boolean;
  manage_etc_hosts: boolean;
  packages: string[];
  write_files: { path: string; content: string; defer?: boolean }[];
  runcmd: string[][];
}

function available(program: string, hint: string): string | false {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return false;
  } catch {
    return process.env.CI === 'true' ? false : `${program} is not installed (${hint})`;
  }
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'obslab-kvm-ci-'));

describe('renderUserData', () => {
  const text = renderUserData(spec);
  const data = parse(text) as UserData;

  it('starts with #cloud-config', () => {
    assert.ok(text.startsWith('#cloud-config\n'));
  });

  it('creates deploy with the key, a locked password and the docker group, and nothing for root', () => {
    assert.equal(data.users.length, 1);
    const [user] = data.users;
    assert.equal(user!.name, 'deploy');
    assert.equal(user!.lock_passwd, true);
    assert.ok(data.runcmd.some((command) => command.join(' ') === 'usermod --append --groups docker deploy'));
    assert.deepEqual(user!.ssh_authorized_keys, [key]);
    assert.equal(user!.sudo, 'ALL=(root) NOPASSWD: /usr/sbin/sshd -T, /usr/sbin/nft list ruleset');
    assert.equal(data.ssh_pwauth, false);
    assert.equal(data.disable_root, true);
    assert.equal(data.manage_etc_hosts, true);
  });

  it('installs Docker with Compose v2, nftables and unattended upgrades from the distribution', () => {
    assert.deepEqual(data.packages, [
      'docker.io',
      'docker-cli',
      'docker-compose',
      'nftables',
      'unattended-upgrades',
      'rsync',
    ]);
    const autoUpgrades = data.write_files.find((file) => file.path === '/etc/apt/apt.conf.d/20auto-upgrades');
    assert.match(autoUpgrades!.content, /APT::Periodic::Unattended-Upgrade "1";/);
    assert.ok(
      data.runcmd.some(
        (command) => command.join(' ') === 'systemctl enable --now unattended-upgrades.service',
      ),
    );
  });

  it('writes the sshd drop-in and the firewall, and limits cloud-init to the seed disk', () => {
    const paths = data.write_files.map((file) => file.path);
    assert.ok(paths.includes(sshdDropInPath));
    assert.ok(paths.includes('/etc/obslab/firewall.nft'));
    assert.ok(paths.includes('/etc/systemd/system/obslab-firewall.service'));
    assert.ok(
      !paths.includes('/etc/nftables.conf'),
      "Debian's nftables.service flushes Docker's rules: not used",
    );
    const datasource = data.write_files.find((file) => file.path.startsWith('/etc/cloud/cloud.cfg.d/'));
    assert.match(datasource!.content, /datasource_list: \[NoCloud, None\]/);
    assert.ok(
      data.runcmd.some((command) => command.join(' ') === 'systemctl enable --now obslab-firewall.service'),
    );
  });

  it(
    'is valid for `cloud-init schema`',
    { skip: available('cloud-init', 'apt-get install cloud-init') },
    () => {
      const file = join(tempDir(), 'user-data');
      writeFileSync(file, text);
      const out = execFileSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
      assert.match(out, /Valid schema|Valid cloud-config/);
    },
  );
});

describe('renderNetworkConfig and renderMetaData', () => {
  it('matches the NIC by MAC, never by a name pattern, and asks DHCP for the address', () => {
    const config = parse(renderNetworkConfig(spec)) as {
      version: number;
      ethernets: Record<string, unknown>;
    };
    assert.equal(config.version, 2);
    assert.deepEqual(config.ethernets, {
      lan: { match: { macaddress: '52:54:00:0b:5a:fa' }, dhcp4: true, dhcp6: false },
    });
    assert.doesNotMatch(renderNetworkConfig(spec), /name:/);
  });

  it('changes the instance id when the user-data changes', () => {
    const first = parse(renderMetaData(spec)) as Record<string, string>;
    const second = parse(renderMetaData(defineVm({ sshPublicKey: key, publishedPorts: [8080] }))) as Record<
      string,
      string
    >;
    assert.equal(first['local-hostname'], 'obslab-lab');
    assert.match(first['instance-id']!, /^obslab-lab-[0-9a-f]{12}$/);
    assert.notEqual(first['instance-id'], second['instance-id']);
  });
});

describe('renderSshdDropIn', () => {
  const dropIn = renderSshdDropIn(spec);

  it('turns off passwords, keyboard-interactive and root', () => {
    for (const line of [
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      'AllowUsers deploy',
    ])
      assert.ok(dropIn.split('\n').includes(line), `missing "${line}"`);
  });

  it(
    'is accepted by `sshd -t` and takes effect (`sshd -T`)',
    {
      skip:
        available('sshd', 'apt-get install openssh-server') ||
        (process.getuid?.() !== 0 && 'sshd -t needs root here'),
    },
    () => {
      const dir = tempDir();
      mkdirSync('/run/sshd', { recursive: true });
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
      writeFileSync(join(dir, '10-obslab.conf'), dropIn);
      // Like Debian's sshd_config: the drop-ins first, then the defaults they must win over.
      writeFileSync(
        join(dir, 'sshd_config'),
        `Include ${dir}/*.conf\nHostKey ${dir}/host_key\nPasswordAuthentication yes\nPermitRootLogin yes\n`,
      );
      execFileSync('/usr/sbin/sshd', ['-t', '-f', join(dir, 'sshd_config')]);
      const effective = execFileSync(
        '/usr/sbin/sshd',
        ['-T', '-f', join(dir, 'sshd_config'), '-C', 'user=deploy,host=h,addr=127.0.0.1'],
        { encoding: 'utf8' },
      );
      assert.match(effective, /^passwordauthentication no$/m);
      assert.match(effective, /^kbdinteractiveauthentication no$/m);
      assert.match(effective, /^permitrootlogin no$/m);
    },
  );
});

describe('renderFirewallUnit', () => {
  it('loads the rules and, when stopped, deletes only its own table', () => {
    const unit = renderFirewallUnit();
    assert.match(unit, /^ExecStart=\/usr\/sbin\/nft -f \/etc\/obslab\/firewall.nft$/m);
    assert.match(unit, /^ExecStop=\/usr\/sbin\/nft delete table inet obslab_host$/m);
    assert.doesNotMatch(unit, /flush/);
  });
});

describe('renderFirewall', () => {
  const rules = renderFirewall(spec);

  it('drops inbound traffic except SSH and the published ports, without flushing Docker’s tables', () => {
    assert.match(rules, /type filter hook input priority filter; policy drop;/);
    assert.match(rules, /tcp dport 22 accept/);
    assert.match(rules, /tcp dport \{ 3000, 8080 \} accept/);
    assert.doesNotMatch(rules, /flush ruleset/);
    assert.doesNotMatch(rules, /hook forward/);
  });

  it(
    'is accepted by `nft -c`',
    {
      skip: available('nft', 'apt-get install nftables') || (process.getuid?.() !== 0 && 'nft -c needs root'),
    },
    () => {
      const file = join(tempDir(), 'nftables.conf');
      writeFileSync(file, rules);
      execFileSync('nft', ['-c', '-f', file]);
    },
  );
});
