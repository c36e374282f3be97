// `lab vm up|down|status` as short, idempotent sequences over virsh, qemu-img, cloud-localds and
// ssh. State is read from libvirt on every call (never remembered): "not found" is recognised by
// libvirt's own message, any other read error stops the command.
import { existsSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { renderVm, type VmSpec, vmPaths, writeRenderedVm } from '@obslab/kvm';
import { CommandError, eventually, run } from '@obslab/process';
import { LabError } from '../lab.error.js';
import { type SshTarget, sshArgs } from '../deploy/ssh.target.js';
import { progress, step, stepError } from '../deploy/step.runner.js';

const say = progress('vm');

export interface VmContext {
  readonly spec: VmSpec;
  /** libvirt URI, e.g. qemu:///system. */
  readonly connect: string;
  /** The private key of the deploy user. */
  readonly identity: string;
}

/** Where SSH reaches the VM: its reserved address, or the forwarded loopback port. */
export function sshTargetOf(context: VmContext): SshTarget {
  const { spec } = context;
  const forwarded = spec.userModeForwards?.[22];
  return {
    user: spec.user,
    host: forwarded ? '127.0.0.1' : spec.address,
    port: forwarded ?? 22,
    identity: context.identity,
    knownHosts: vmPaths(spec).knownHosts,
  };
}

function virsh(context: VmContext, what: string, args: readonly string[], timeoutMs = 180_000) {
  return step(what, 'virsh', ['--connect', context.connect, ...args], { timeoutMs });
}

/** `virsh <info command>`, or undefined when libvirt says the object does not exist. */
async function lookup(
  context: VmContext,
  args: readonly string[],
  notFound: RegExp,
): Promise<string | undefined> {
  try {
    return (
      await run('virsh', ['--connect', context.connect, ...args], { timeoutMs: 180_000 })
    ).stdout.trim();
  } catch (error) {
    if (error instanceof CommandError && notFound.test(error.stderr)) return undefined;
    if (error instanceof CommandError) throw stepError(`reading ${args.join(' ')}`, error);
    throw error;
  }
}

const domainNotFound = /Domain not found|failed to get domain/;
const networkNotFound = /Network not found|failed to get network/;

export function domainState(context: VmContext): Promise<string | undefined> {
  return lookup(context, ['domstate', context.spec.name], domainNotFound);
}

async function networkActive(context: VmContext): Promise<boolean | undefined> {
  const info = await lookup(context, ['net-info', context.spec.network.name], networkNotFound);
  if (info === undefined) return undefined;
  return /^Active:\s+yes$/m.test(info);
}

/** libvirt re-probes QEMU for minutes while /dev/kvm is 0600 root:root: say so before it looks hung. */
function warnAboutSlowProbing(): void {
  try {
    if (existsSync('/dev/kvm') && (statSync('/dev/kvm').mode & 0o077) === 0) {
      say(
        'note: /dev/kvm is mode 0600: libvirt probes QEMU slowly (minutes per virsh call); `chgrp kvm /dev/kvm; chmod 660 /dev/kvm` fixes it',
      );
    }
  } catch {
    // Only a hint.
  }
}

/** `lab vm up`: network, overlay, seed, domain, SSH. Safe to run again: it only does what is missing. */
export async function vmUp(context: VmContext, options: { readonly timeoutMs: number }): Promise<SshTarget> {
  const { spec } = context;
  const paths = vmPaths(spec);
  if (!existsSync(spec.baseImage)) {
    throw new LabError(
      `base image ${spec.baseImage} does not exist`,
      'build one with scripts/build-vm-image.sh (Debian 13 with cloud-init; prints its directory) and pass --base-image, --kernel and --initrd',
      2,
    );
  }
  warnAboutSlowProbing();
  await mkdir(spec.stateDir, { recursive: true, mode: 0o755 });
  const rendered = await writeRenderedVm(join(spec.stateDir, 'rendered'), renderVm(spec));

  if (!spec.userModeForwards) {
    const active = await networkActive(context);
    if (active === undefined) {
      say(`defining network ${spec.network.name} (${spec.network.gateway}/${spec.network.prefix}, NAT)`);
      await virsh(context, 'defining the network', ['net-define', rendered['network.xml']!]);
      await virsh(context, 'marking the network autostart', ['net-autostart', spec.network.name]);
    }
    if (!active) {
      say(`starting network ${spec.network.name}`);
      await virsh(context, 'starting the network', ['net-start', spec.network.name]);
    }
  }

  const state = await domainState(context);
  if (state === 'running') {
    say(`${spec.name} is already running`);
  } else {
    if (!existsSync(paths.overlay)) {
      say(`creating the copy-on-write overlay ${paths.overlay} (${spec.diskGiB} GiB) on ${spec.baseImage}`);
      await step('creating the disk overlay', 'qemu-img', [
        'create',
        '-q',
        '-f',
        'qcow2',
        '-F',
        'qcow2',
        '-b',
        spec.baseImage,
        paths.overlay,
        `${spec.diskGiB}G`,
      ]);
    }
    say('building the cloud-init seed disk');
    await step('building the cloud-init seed', 'cloud-localds', [
      '--network-config',
      rendered['network-config']!,
      paths.seed,
      rendered['user-data']!,
      rendered['meta-data']!,
    ]);
    say(`defining domain ${spec.name} (${spec.vcpus} vCPU, ${spec.memoryMiB} MiB, ${spec.domainType})`);
    await virsh(context, 'defining the domain', ['define', rendered['domain.xml']!]);
    say(`starting ${spec.name}`);
    await virsh(context, 'starting the domain', ['start', spec.name]);
  }

  const target = sshTargetOf(context);
  await waitForSsh(target, options.timeoutMs);
  console.log(`${target.user}@${target.host}${target.port === 22 ? '' : ` port ${target.port}`}`);
  return target;
}

/** Waits until `user@host` answers over SSH with the key, then until cloud-init has finished. */
export async function waitForSsh(target: SshTarget, timeoutMs: number): Promise<void> {
  const started = Date.now();
  say(`waiting for SSH on ${target.host}:${target.port} (first boot under TCG takes a minute or two)`);
  await eventually(() => run('ssh', sshArgs(target, 'true', 5), { timeoutMs: 20_000 }), {
    timeoutMs,
    intervalMs: 2000,
    description: `SSH as ${target.user}@${target.host}:${target.port}`,
  }).catch((error: Error) => {
    const cause = error.cause instanceof CommandError ? stepError('waiting for SSH', error.cause) : undefined;
    throw new LabError(`${error.message}`, cause?.hint ?? 'look at the serial console: virsh console NAME');
  });
  say(`SSH answers after ${((Date.now() - started) / 1000).toFixed(0)} s; waiting for cloud-init to finish`);
  // The first boot restarts sshd and the network while cloud-init runs: retry lost connections (255).
  const status = await eventually(
    async () => {
      try {
        await run('ssh', sshArgs(target, 'cloud-init status --wait'), { timeoutMs: 600_000 });
        return 'done';
      } catch (error) {
        if (error instanceof CommandError && error.exitCode === 255) throw error;
        return error;
      }
    },
    {
      timeoutMs: Math.max(120_000, timeoutMs - (Date.now() - started)),
      intervalMs: 2000,
      description: 'cloud-init status --wait',
    },
  ).catch((error: Error) => error);
  if (status !== 'done') {
    const error = status instanceof Error && status.cause instanceof CommandError ? status.cause : status;
    // 2: finished with recoverable errors (degraded); the VM is usable, say so.
    if (error instanceof CommandError && error.exitCode === 2)
      say('cloud-init finished degraded: see `cloud-init status --long` in the VM');
    else if (error instanceof CommandError) throw stepError('waiting for cloud-init', error);
    else throw error;
  }
  say(`ready after ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** `lab vm down`: graceful shutdown, then power off; with `purge`, also undefine and delete the disk, seed and network. */
export async function vmDown(
  context: VmContext,
  options: { readonly purge: boolean; readonly timeoutMs: number },
): Promise<void> {
  const { spec } = context;
  const state = await domainState(context);
  if (state === undefined) say(`${spec.name} is not defined`);
  else if (state === 'running') {
    say(`shutting ${spec.name} down`);
    await virsh(context, 'shutting the domain down', ['shutdown', spec.name]);
    try {
      await eventually(
        async () => {
          if ((await domainState(context)) === 'running') throw new Error('still running');
        },
        { timeoutMs: options.timeoutMs, intervalMs: 1000, description: `${spec.name} shut off` },
      );
    } catch {
      say(`no clean shutdown within ${options.timeoutMs / 1000} s: powering off`);
      await virsh(context, 'powering the domain off', ['destroy', spec.name]);
    }
  } else say(`${spec.name} is ${state}`);
  if (!options.purge) return;
  if (state !== undefined) {
    say(`undefining ${spec.name}`);
    await virsh(context, 'undefining the domain', ['undefine', spec.name]);
  }
  if (!spec.userModeForwards) {
    const active = await networkActive(context);
    if (active) await virsh(context, 'stopping the network', ['net-destroy', spec.network.name]);
    if (active !== undefined)
      await virsh(context, 'undefining the network', ['net-undefine', spec.network.name]);
  }
  say(`deleting ${spec.stateDir}`);
  await rm(spec.stateDir, { recursive: true, force: true });
}

/** `lab vm status`: what libvirt says, and whether SSH answers. Returns true when the VM runs. */
export async function vmStatus(context: VmContext): Promise<boolean> {
  const { spec } = context;
  const state = await domainState(context);
  console.log(`domain   ${spec.name}: ${state ?? 'not defined'}`);
  if (!spec.userModeForwards) {
    const active = await networkActive(context);
    console.log(
      `network  ${spec.network.name}: ${active === undefined ? 'not defined' : active ? 'active' : 'inactive'}`,
    );
  }
  const target = sshTargetOf(context);
  if (state === 'running') {
    let ssh = 'answers';
    try {
      await run('ssh', sshArgs(target, 'true', 5), { timeoutMs: 15_000 });
    } catch (error) {
      ssh = `does not answer (${error instanceof CommandError ? (error.stderr.trim().split('\n').at(-1) ?? `exit ${error.exitCode}`) : String(error)})`;
    }
    console.log(`ssh      ${target.user}@${target.host}:${target.port}: ${ssh}`);
  }
  return state === 'running';
}
