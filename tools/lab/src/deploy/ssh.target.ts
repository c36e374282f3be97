// An SSH destination and the non-interactive ssh/rsync arguments to reach it.
import { LabError } from '../lab.error.js';

export interface SshTarget {
  readonly user: string;
  readonly host: string;
  readonly port: number;
  /** Private key file. */
  readonly identity?: string;
  /** known_hosts file to use (and add the VM's key to on first contact). */
  readonly knownHosts: string;
}

/** Parses `user@host` (IPv6 in brackets is not needed for the lab). */
export function parseDestination(value: string): { user: string; host: string } {
  const match = /^([a-z_][a-z0-9_-]*)@([A-Za-z0-9.-]+)$/.exec(value);
  if (!match)
    throw new LabError(`--host "${value}": expected user@address, e.g. deploy@192.168.122.250`, undefined, 2);
  return { user: match[1]!, host: match[2]! };
}

/**
 * ssh options: never prompt, trust a new host key once, then insist on it; give up quickly when
 * unreachable. A host that stops answering is dropped after 2 minutes (8 keepalives 15 s apart),
 * not OpenSSH's default 45 s: a guest under software emulation (the VM suite's TCG guest) can go
 * quiet for most of a minute while it starts containers, and ssh then exits with 255 in the middle
 * of `compose up`.
 */
export function sshOptions(target: SshTarget, connectTimeoutS = 10): string[] {
  return [
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    `UserKnownHostsFile=${target.knownHosts}`,
    '-o',
    `ConnectTimeout=${connectTimeoutS}`,
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=8',
    '-o',
    'LogLevel=ERROR',
    '-p',
    String(target.port),
    ...(target.identity ? ['-i', target.identity, '-o', 'IdentitiesOnly=yes'] : []),
  ];
}

/** Arguments of `ssh` running `remoteCommand` (one shell string on the remote side: quote with {@link shellQuote}). */
export function sshArgs(target: SshTarget, remoteCommand: string, connectTimeoutS?: number): string[] {
  return [...sshOptions(target, connectTimeoutS), `${target.user}@${target.host}`, '--', remoteCommand];
}

/** Quotes one word for the remote POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
