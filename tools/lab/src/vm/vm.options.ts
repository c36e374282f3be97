// The options every `lab vm` subcommand shares, and how they become a validated VM spec.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { defineVm, type VmSpec, VmSpecError } from '@obslab/kvm';
import { type Command, Option } from 'commander';
import { LabError } from '../lab.error.js';
import { atLeastOne, numberOption, usageError } from '../options/option.parsers.js';

export interface VmOptions {
  name: string;
  identity: string;
  vcpus?: number;
  memory?: number;
  disk?: number;
  baseImage?: string;
  stateDir?: string;
  domainType: 'kvm' | 'qemu';
  address?: string;
  gateway?: string;
  kernel?: string;
  initrd?: string;
  forward: Record<number, number>;
  connect: string;
}

export const defaultIdentity = join(homedir(), '.ssh/id_ed25519_jenkins');

function forward(value: string, previous: Record<number, number>): Record<number, number> {
  const match = /^(\d+):(\d+)$/.exec(value);
  if (!match) throw usageError(`--forward "${value}": expected GUEST_PORT:HOST_PORT, e.g. 22:2222`);
  return { ...previous, [Number(match[1])]: Number(match[2]) };
}

/** Adds the spec options to a subcommand. */
export function withVmOptions(command: Command): Command {
  return command
    .option('--name <name>', 'VM (libvirt domain) name', 'obslab-lab')
    .option(
      '--identity <key>',
      'SSH private key; its .pub is authorized for the deploy user',
      defaultIdentity,
    )
    .addOption(numberOption('--vcpus <n>', 'virtual CPUs (default 4)', atLeastOne))
    .addOption(numberOption('--memory <MiB>', 'memory in MiB (default 8192)', atLeastOne))
    .addOption(numberOption('--disk <GiB>', 'disk size in GiB (default 40)', atLeastOne))
    .option('--base-image <qcow2>', 'base image (never written; the VM gets a copy-on-write overlay)')
    .option(
      '--state-dir <dir>',
      'where the overlay, seed and rendered files go (default ~/.local/share/obslab/vm/NAME)',
    )
    .addOption(
      new Option('--domain-type <type>', 'kvm, or qemu for software emulation (TCG)')
        .choices(['kvm', 'qemu'])
        .default('kvm'),
    )
    .option('--address <ip>', 'reserved address on the NAT network (default 192.168.122.250)')
    .option('--gateway <ip>', 'host address of the NAT network (default 192.168.122.1)')
    .option(
      '--kernel <file>',
      'direct kernel boot: the kernel (with --initrd), for images without a boot loader',
    )
    .option('--initrd <file>', 'direct kernel boot: the initrd')
    .option(
      '--forward <guest:host>',
      'use QEMU user-mode networking restricted to this host instead of the NAT network, forwarding 127.0.0.1:HOST to the guest port (repeatable; 22 is needed)',
      forward,
      {},
    )
    .option('--connect <uri>', 'libvirt connection URI', 'qemu:///system');
}

/** The validated spec of the options; bad values exit with code 2 naming every problem. */
export function specOf(options: VmOptions): VmSpec {
  const publicKeyFile = `${options.identity}.pub`;
  if (!existsSync(publicKeyFile)) {
    throw new LabError(
      `no public key at ${publicKeyFile}`,
      `make the key pair: ssh-keygen -t ed25519 -f ${options.identity} -C jenkins-deployment-key (or pass --identity)`,
      2,
    );
  }
  if (Boolean(options.kernel) !== Boolean(options.initrd)) {
    throw new LabError('--kernel and --initrd go together', undefined, 2);
  }
  const forwards = Object.keys(options.forward).length > 0 ? options.forward : undefined;
  if (forwards && !forwards[22]) throw new LabError('--forward needs 22:<host port> for SSH', undefined, 2);
  try {
    return defineVm({
      name: options.name,
      sshPublicKey: readFileSync(publicKeyFile, 'utf8'),
      domainType: options.domainType,
      ...(options.vcpus ? { vcpus: options.vcpus } : {}),
      ...(options.memory ? { memoryMiB: options.memory } : {}),
      ...(options.disk ? { diskGiB: options.disk } : {}),
      ...(options.baseImage ? { baseImage: resolve(options.baseImage) } : {}),
      ...(options.stateDir ? { stateDir: resolve(options.stateDir) } : {}),
      ...(options.address ? { address: options.address } : {}),
      ...(options.gateway ? { network: { gateway: options.gateway } } : {}),
      ...(options.kernel && options.initrd
        ? { kernelBoot: { kernel: resolve(options.kernel), initrd: resolve(options.initrd) } }
        : {}),
      ...(forwards ? { userModeForwards: forwards } : {}),
    });
  } catch (error) {
    if (error instanceof VmSpecError) throw new LabError(error.message, 'fix the options named above', 2);
    throw error;
  }
}
