// One place where `lab vm` and `lab deploy` call external programs: every call is a named step,
// goes through @obslab/process's run() (argument arrays, stdin closed, time limit), and a failure
// becomes a LabError naming the step, the command, the exit code and the tail of stderr, with a
// hint for the failures we know.
import { CommandError, run, type RunOptions, type RunResult } from '@obslab/process';
import { LabError } from '../lab.error.js';

/** A known failure: when `pattern` matches stderr, `hint` tells the user what to do. */
export interface KnownFailure {
  readonly pattern: RegExp;
  readonly hint: string;
}

const commonFailures: readonly KnownFailure[] = [
  {
    pattern: /Failed to connect socket to '.*libvirt-sock'|No such file or directory.*libvirt/,
    hint: 'libvirtd is not running: systemctl start libvirtd (without systemd: virtlogd -d; libvirtd -d)',
  },
  {
    pattern: /authentication unavailable|Permission denied.*libvirt|access denied by policy/i,
    hint: 'your user is not in the libvirt group: sudo usermod -aG libvirt "$USER", then log in again (or use --connect qemu:///session)',
  },
  {
    pattern: /could not find capabilities for domaintype=kvm|KVM is not available|failed to initialize kvm/i,
    hint: 'KVM is not usable here: use --domain-type qemu (software emulation, slow but works in a VM)',
  },
  {
    pattern: /Network is already in use by interface|address already in use/i,
    hint: "another libvirt network uses this subnet (often 'default' on 192.168.122.0/24): virsh net-destroy default, or pick another with --gateway/--address",
  },
  {
    pattern: /Cannot access storage file|Permission denied.*\.(qcow2|img)/,
    hint: 'QEMU runs as another user (libvirt-qemu): put the base image and --state-dir where that user can read and traverse (e.g. /var/lib/libvirt/images)',
  },
  {
    pattern: /Permission denied \(publickey\)/,
    hint: 'the key is not authorized for that user: check --identity, and that the VM was provisioned with its public key',
  },
  {
    pattern: /Connection refused|Connection timed out|No route to host|Connection closed by/,
    hint: 'SSH is not reachable: is the VM up (lab vm status) and the address/port right?',
  },
  {
    pattern: /REMOTE HOST IDENTIFICATION HAS CHANGED/,
    hint: 'the VM was re-created with new host keys: remove its line from the known_hosts file named above',
  },
];

/** Runs one step's program; failures become a LabError with the step's name and a hint. */
export async function step(
  name: string,
  program: string,
  args: readonly string[],
  options: RunOptions & { readonly failures?: readonly KnownFailure[] } = {},
): Promise<RunResult> {
  try {
    return await run(program, args, { timeoutMs: 120_000, ...options });
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    throw stepError(name, error, options.failures ?? []);
  }
}

export function stepError(
  name: string,
  error: CommandError,
  failures: readonly KnownFailure[] = [],
): LabError {
  const known = [...failures, ...commonFailures].find((failure) => failure.pattern.test(error.stderr));
  const notInstalled = error.exitCode === null && /not installed or not on PATH/.test(error.message);
  return new LabError(
    `${name} failed: ${error.message}`,
    known?.hint ??
      (notInstalled ? `install ${error.command[0]} (see kvm/README.md, "Prerequisites")` : undefined),
  );
}

/** Progress on stderr, so stdout stays for results (addresses, status). */
export const progress = (scope: string) => (message: string) => console.error(`lab ${scope}: ${message}`);
