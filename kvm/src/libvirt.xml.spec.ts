import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { qemuArgs, renderDomainXml, renderNetworkXml } from './libvirt.xml.js';
import { defineVm } from './vm.config.js';

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAHw2Y1pWnXlnHrTu24QZBgaZ6c47YYwhxH6dgfpZlsk jenkins';
const story = defineVm({ sshPublicKey: key, stateDir: '/var/lib/obslab/vm' });
const test = defineVm({
  sshPublicKey: key,
  domainType: 'qemu',
  vcpus: 2,
  memoryMiB: 2048,
  stateDir: '/var/lib/obslab/vm',
  userModeForwards: { 22: 2222, 8080: 18080 },
  kernelBoot: { kernel: '/images/vmlinuz', initrd: '/images/initrd.img' },
});

function validator(): string | false {
  try {
    execFileSync('sh', ['-c', 'command -v virt-xml-validate'], { stdio: 'ignore' });
    return false;
  } catch {
    return process.env.CI === 'true'
      ? false
      : 'virt-xml-validate is not installed (apt-get install libvirt-clients)';
  }
}

/** Runs libvirt's own schema validation; throws with its output when the document is invalid. */
function virtXmlValidate(xml: string, name: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'obslab-kvm-xml-')), name);
  writeFileSync(file, xml);
  const result = spawnSync('virt-xml-validate', [file], { encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 0, `virt-xml-validate ${name} exited with ${result.status}:\n${output}`);
  return output;
}

describe('renderNetworkXml', () => {
  it('defines a NAT network with a DHCP pool and a host reservation by MAC for the VM', () => {
    const xml = renderNetworkXml(story);
    assert.match(xml, /<forward mode="nat">/);
    assert.match(xml, /<ip address="192.168.122.1" netmask="255.255.255.0">/);
    assert.match(xml, /<range start="192.168.122.100" end="192.168.122.199"\/>/);
    assert.match(xml, /<host mac="52:54:00:0b:5a:fa" name="obslab-lab" ip="192.168.122.250"\/>/);
  });

  it('is a valid libvirt network for virt-xml-validate', { skip: validator() }, () => {
    assert.match(virtXmlValidate(renderNetworkXml(story), 'network.xml'), /validates/);
  });
});

describe('renderDomainXml', () => {
  it('uses virtio for the overlay disk and the NIC, attaches the seed read-only and a serial console', () => {
    const xml = renderDomainXml(story);
    assert.match(xml, /<domain type="kvm">/);
    assert.match(xml, /<memory unit="MiB">8192<\/memory>/);
    assert.match(xml, /<vcpu placement="static">4<\/vcpu>/);
    assert.match(
      xml,
      /type="qcow2"[^]*?<source file="\/var\/lib\/obslab\/vm\/obslab-lab.qcow2"\/>\s*<target dev="vda" bus="virtio"\/>/,
    );
    assert.match(
      xml,
      /<source file="\/var\/lib\/obslab\/vm\/obslab-lab-seed.img"\/>\s*<target dev="vdb" bus="virtio"\/>\s*<readonly\/>/,
    );
    assert.match(
      xml,
      /<interface type="network">\s*<mac address="52:54:00:0b:5a:fa"\/>\s*<source network="obslab"\/>\s*<model type="virtio"\/>/,
    );
    assert.match(xml, /<console type="pty">/);
    assert.match(xml, /<boot dev="hd"\/>/);
  });

  it('keeps the same UUID for the same name, so a changed definition redefines the domain', () => {
    const uuid = /<uuid>([0-9a-f-]{36})<\/uuid>/;
    assert.equal(uuid.exec(renderDomainXml(story))![1], uuid.exec(renderDomainXml(test))![1]);
    assert.notEqual(
      uuid.exec(renderDomainXml(defineVm({ sshPublicKey: key, name: 'other' })))![1],
      uuid.exec(renderDomainXml(story))![1],
    );
  });

  it('boots the test image under TCG with its kernel and loopback-only user-mode networking', () => {
    const xml = renderDomainXml(test);
    assert.match(xml, /<domain type="qemu" xmlns:qemu="http:\/\/libvirt.org\/schemas\/domain\/qemu\/1.0">/);
    assert.match(xml, /<cpu mode="maximum"\/>/);
    assert.match(
      xml,
      /<kernel>\/images\/vmlinuz<\/kernel>\s*<initrd>\/images\/initrd.img<\/initrd>\s*<cmdline>root=\/dev\/vda rw console=ttyS0<\/cmdline>/,
    );
    assert.doesNotMatch(xml, /<interface/);
    assert.match(
      xml,
      /<qemu:arg value="user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:127.0.0.1:18080-:8080"\/>/,
    );
  });

  it('escapes what it is given instead of breaking the document', () => {
    const xml = renderDomainXml(defineVm({ sshPublicKey: key, stateDir: '/tmp/a&b<c>' }));
    assert.match(xml, /<source file="\/tmp\/a&amp;b&lt;c&gt;\/obslab-lab.qcow2"\/>/);
  });

  for (const [name, spec] of [
    ['the story VM', story],
    ['the test VM', test],
  ] as const) {
    it(`is a valid libvirt domain for virt-xml-validate (${name})`, { skip: validator() }, () => {
      assert.match(virtXmlValidate(renderDomainXml(spec), 'domain.xml'), /validates/);
    });
  }
});

describe('qemuArgs', () => {
  it('is the same machine as the domain: TCG, the overlay, the read-only seed, the kernel, the NIC by MAC', () => {
    const args = qemuArgs(test, {
      overlay: '/o.qcow2',
      seed: '/s.img',
      serialLog: '/serial.log',
      pidFile: '/q.pid',
    });
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    assert.equal(after('-accel'), 'tcg,thread=multi');
    assert.equal(after('-smp'), '2');
    assert.equal(after('-m'), '2048');
    assert.equal(after('-kernel'), '/images/vmlinuz');
    assert.ok(args.includes('file=/s.img,if=virtio,format=raw,readonly=on'));
    assert.ok(args.includes('virtio-net-pci,netdev=net0,mac=52:54:00:0b:5a:fa,bus=pcie.0,addr=0x10'));
  });
});
