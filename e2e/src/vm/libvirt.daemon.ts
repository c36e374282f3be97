// libvirtd for the VM suite: the running one, or virtlogd + libvirtd started here (and stopped
// again), with /dev/kvm opened to the kvm group while they run: libvirt re-probes QEMU for minutes
// per call while /dev/kvm is 0600 root:root. The mode is restored afterwards.
import { chmodSync, chownSync, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { eventually, run } from '@obslab/process';

export const libvirtUri = 'qemu:///system';

const programs = [
  'virsh',
  'libvirtd',
  'virtlogd',
  'qemu-system-x86_64',
  'qemu-img',
  'cloud-localds',
  'debootstrap',
  'ssh',
  'rsync',
];

function onPath(program: string): boolean {
  return ['/usr/sbin', '/sbin', ...(process.env.PATH ?? '').split(delimiter)].some(
    (dir) => dir !== '' && existsSync(join(dir, program)),
  );
}

/** Why the VM suite cannot run here, or false. With CI=true nothing is skipped: the suite must fail. */
export function vmSkipReason(): string | false {
  if (process.env.CI === 'true') return false;
  const missing = programs.filter((program) => !onPath(program));
  if (missing.length > 0)
    return `missing ${missing.join(', ')}: apt-get install qemu-system-x86 qemu-utils cloud-image-utils libvirt-daemon-system libvirt-clients debootstrap openssh-client rsync`;
  if (process.getuid?.() !== 0) return 'building the VM image (debootstrap) and starting libvirtd need root';
  return false;
}

export interface LibvirtDaemon {
  readonly startedHere: boolean;
  stop(): Promise<void>;
}

function pidOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function answers(): Promise<boolean> {
  try {
    await run('virsh', ['--connect', libvirtUri, 'list', '--all'], { timeoutMs: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Makes libvirt answer on qemu:///system; returns how to undo what this did. */
export async function ensureLibvirtd(log: (line: string) => void): Promise<LibvirtDaemon> {
  let restoreKvm = () => {};
  if (existsSync('/dev/kvm')) {
    const { mode, gid } = statSync('/dev/kvm');
    if ((mode & 0o060) !== 0o060) {
      const kvmGid = Number((await run('getent', ['group', 'kvm'])).stdout.split(':')[2]);
      log(
        `/dev/kvm is ${(mode & 0o777).toString(8)}: chgrp kvm, chmod 660 while the suite runs (libvirt probes slowly otherwise)`,
      );
      chownSync('/dev/kvm', 0, kvmGid);
      chmodSync('/dev/kvm', 0o660);
      restoreKvm = () => {
        chownSync('/dev/kvm', 0, gid);
        chmodSync('/dev/kvm', mode & 0o7777);
      };
    }
  }
  if (await answers()) return { startedHere: false, stop: () => Promise.resolve(restoreKvm()) };
  log('starting virtlogd and libvirtd');
  const started: string[] = [];
  if (pidOf('/run/virtlogd.pid') === undefined) {
    await run('virtlogd', ['--daemon'], { timeoutMs: 30_000 });
    started.push('/run/virtlogd.pid');
  }
  await run('libvirtd', ['--daemon'], { timeoutMs: 30_000 });
  started.push('/run/libvirtd.pid');
  await eventually(
    async () => {
      if (!(await answers())) throw new Error('virsh list fails');
    },
    { timeoutMs: 60_000, intervalMs: 500, description: 'libvirtd answers' },
  );
  let stopped = false;
  return {
    startedHere: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const file of started.reverse()) {
        const pid = pidOf(file);
        if (pid === undefined) continue;
        try {
          process.kill(pid, 'SIGTERM');
          await eventually(
            () => {
              try {
                process.kill(pid, 0);
              } catch {
                return;
              }
              throw new Error(`pid ${pid} still runs`);
            },
            { timeoutMs: 20_000, intervalMs: 200, description: `${file} process exits` },
          );
        } catch {
          // Already gone, or did not exit in time: nothing more to do here.
        }
      }
      restoreKvm();
    },
  };
}
