import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineVm, VmSpecError } from './vm.config.js';

const key =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAHw2Y1pWnXlnHrTu24QZBgaZ6c47YYwhxH6dgfpZlsk jenkins-deployment-key';

describe('defineVm', () => {
  it("defaults to the story's VM: 4 vCPUs, 8 GiB, 192.168.122.250 on a NAT network, user deploy, KVM", () => {
    const spec = defineVm({ sshPublicKey: key });
    assert.equal(spec.vcpus, 4);
    assert.equal(spec.memoryMiB, 8192);
    assert.equal(spec.address, '192.168.122.250');
    assert.equal(spec.network.gateway, '192.168.122.1');
    assert.deepEqual(spec.network.dhcpRange, ['192.168.122.100', '192.168.122.199']);
    assert.equal(spec.user, 'deploy');
    assert.equal(spec.domainType, 'kvm');
    assert.deepEqual(spec.publishedPorts, [8080, 3000]);
    assert.equal(spec.kernelBoot, undefined);
  });

  it('lists every bad field at once', () => {
    assert.throws(
      () =>
        defineVm({
          sshPublicKey: '-----BEGIN OPENSSH PRIVATE KEY-----',
          vcpus: 0,
          memoryMiB: 512,
          address: '10.0.0.5',
          mac: 'nope',
          user: 'root',
          publishedPorts: [22],
        }),
      (error: unknown) => {
        assert.ok(error instanceof VmSpecError);
        const text = error.problems.join('\n');
        for (const field of [
          'vcpus',
          'memoryMiB',
          'address 10.0.0.5: outside',
          'mac',
          'user',
          'sshPublicKey',
          'publishedPorts 22',
        ])
          assert.ok(text.includes(field), `no problem about ${field} in:\n${text}`);
        assert.equal(error.problems.length, 7);
        return true;
      },
    );
  });

  it('rejects a reserved address inside the DHCP pool', () => {
    assert.throws(() => defineVm({ sshPublicKey: key, address: '192.168.122.150' }), /inside the DHCP pool/);
  });

  it('rejects relative paths for the base image and the kernel', () => {
    assert.throws(
      () =>
        defineVm({
          sshPublicKey: key,
          baseImage: 'base.qcow2',
          kernelBoot: { kernel: 'vmlinuz', initrd: '/boot/initrd.img' },
        }),
      /baseImage "base.qcow2": an absolute path[\s\S]*kernelBoot.kernel/,
    );
  });
});
