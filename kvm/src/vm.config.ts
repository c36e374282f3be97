// The lab VM as data: one typed, validated spec from which the libvirt network and domain
// definitions, the cloud-init seed and the QEMU command line are rendered.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** Which hypervisor libvirt uses: `kvm` (hardware virtualisation) or `qemu` (TCG, software). */
export type DomainType = 'kvm' | 'qemu';

/** The NAT network the VM sits on (libvirt `<forward mode='nat'>` with DHCP). */
export interface VmNetwork {
  /** libvirt network name. Default `obslab`. */
  readonly name: string;
  /** Host bridge. Default `virbr-obslab` (at most 15 characters). */
  readonly bridge: string;
  /** Host (gateway) address on the bridge. Default `192.168.122.1`. */
  readonly gateway: string;
  /** Prefix length. Default 24. */
  readonly prefix: number;
  /** DHCP pool, first and last address. Default `.100`–`.199` of the gateway's /24. */
  readonly dhcpRange: readonly [string, string];
}

/** Direct kernel boot (images without a boot loader, like the test image). */
export interface DirectKernelBoot {
  readonly kernel: string;
  readonly initrd: string;
  /** Default `root=/dev/vda rw console=ttyS0`. */
  readonly cmdline: string;
}

/** The validated VM spec; build it with {@link defineVm}. */
export interface VmSpec {
  /** Domain name and guest host name. Default `obslab-lab`. */
  readonly name: string;
  /** Default 4 (the story's VM). */
  readonly vcpus: number;
  /** Default 8192 (8 GiB). */
  readonly memoryMiB: number;
  /** Virtual size of the VM's disk (a copy-on-write overlay of the base image). Default 40. */
  readonly diskGiB: number;
  /** Base image (qcow2), never written: each VM gets an overlay. */
  readonly baseImage: string;
  /** Where the overlay, the seed disk and the rendered files live. Default `~/.local/share/obslab/vm/<name>`. */
  readonly stateDir: string;
  /** Default `kvm`; `qemu` where KVM is missing or unusable (TCG). */
  readonly domainType: DomainType;
  readonly network: VmNetwork;
  /** Reserved by MAC in the network's DHCP. Default `192.168.122.250` (the story's address). */
  readonly address: string;
  /** The NIC's MAC (DHCP reservation and cloud-init's NIC match). Default `52:54:00:0b:5a:fa`. */
  readonly mac: string;
  /** The login user. Default `deploy`. */
  readonly user: string;
  /** The user's authorized key: one `ssh-ed25519 …` line. */
  readonly sshPublicKey: string;
  /** TCP ports the host firewall opens besides SSH (22). Default the lab's published ports 8080 (UI) and 3000 (Grafana). */
  readonly publishedPorts: readonly number[];
  readonly kernelBoot?: DirectKernelBoot;
  /**
   * Instead of the NAT network, QEMU user-mode networking restricted to the host (`restrict=on`)
   * with these host loopback ports forwarded to the guest (e.g. `{22: 2222, 8080: 18080}`).
   * For tests and hosts without a bridge.
   */
  readonly userModeForwards?: Readonly<Record<number, number>>;
}

/** What a caller may set; everything but the key has a default. */
export type VmSpecInput = Partial<Omit<VmSpec, 'network' | 'kernelBoot'>> & {
  readonly sshPublicKey: string;
  readonly network?: Partial<VmNetwork>;
  readonly kernelBoot?: Partial<DirectKernelBoot> & { readonly kernel: string; readonly initrd: string };
};

/** A spec that does not hold together; `problems` lists every bad field. */
export class VmSpecError extends Error {
  override readonly name = 'VmSpecError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid VM spec:\n  - ${problems.join('\n  - ')}`);
  }
}

export const defaultBaseImage = '/var/lib/libvirt/images/debian-13-generic-amd64.qcow2';

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const macPattern = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const hostName = /^[a-z][a-z0-9-]{0,62}$/;
const userName = /^[a-z_][a-z0-9_-]{0,31}$/;
const keyPattern = /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/=]+( [^\n]*)?$/;

function toInt(address: string): number {
  return address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

function inSubnet(address: string, gateway: string, prefix: number): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (toInt(address) & mask) >>> 0 === (toInt(gateway) & mask) >>> 0;
}

function lastOctetSwap(address: string, last: number): string {
  return `${address.split('.').slice(0, 3).join('.')}.${last}`;
}

/** Fills in the defaults and validates the whole spec once; throws {@link VmSpecError} listing every problem. */
export function defineVm(input: VmSpecInput): VmSpec {
  const name = input.name ?? 'obslab-lab';
  const gateway = input.network?.gateway ?? '192.168.122.1';
  const network: VmNetwork = {
    name: input.network?.name ?? 'obslab',
    bridge: input.network?.bridge ?? 'virbr-obslab',
    gateway,
    prefix: input.network?.prefix ?? 24,
    dhcpRange: input.network?.dhcpRange ?? [lastOctetSwap(gateway, 100), lastOctetSwap(gateway, 199)],
  };
  const spec: VmSpec = {
    name,
    vcpus: input.vcpus ?? 4,
    memoryMiB: input.memoryMiB ?? 8192,
    diskGiB: input.diskGiB ?? 40,
    baseImage: input.baseImage ?? defaultBaseImage,
    stateDir: input.stateDir ?? join(homedir(), '.local/share/obslab/vm', name),
    domainType: input.domainType ?? 'kvm',
    network,
    address: input.address ?? '192.168.122.250',
    mac: (input.mac ?? '52:54:00:0b:5a:fa').toLowerCase(),
    user: input.user ?? 'deploy',
    sshPublicKey: input.sshPublicKey.trim(),
    publishedPorts: input.publishedPorts ?? [8080, 3000],
    ...(input.kernelBoot
      ? {
          kernelBoot: {
            kernel: input.kernelBoot.kernel,
            initrd: input.kernelBoot.initrd,
            cmdline: input.kernelBoot.cmdline ?? 'root=/dev/vda rw console=ttyS0',
          },
        }
      : {}),
    ...(input.userModeForwards ? { userModeForwards: input.userModeForwards } : {}),
  };

  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  check(
    hostName.test(spec.name),
    `name "${spec.name}": lower-case letters, digits and -, starting with a letter`,
  );
  check(
    Number.isInteger(spec.vcpus) && spec.vcpus >= 1 && spec.vcpus <= 64,
    `vcpus ${spec.vcpus}: an integer 1–64`,
  );
  check(
    Number.isInteger(spec.memoryMiB) && spec.memoryMiB >= 1024 && spec.memoryMiB <= 262144,
    `memoryMiB ${spec.memoryMiB}: an integer 1024–262144 (Docker and the lab need at least 1 GiB)`,
  );
  check(
    Number.isInteger(spec.diskGiB) && spec.diskGiB >= 5 && spec.diskGiB <= 2048,
    `diskGiB ${spec.diskGiB}: an integer 5–2048`,
  );
  check(isAbsolute(spec.baseImage), `baseImage "${spec.baseImage}": an absolute path`);
  check(isAbsolute(spec.stateDir), `stateDir "${spec.stateDir}": an absolute path`);
  check(
    spec.domainType === 'kvm' || spec.domainType === 'qemu',
    `domainType "${String(spec.domainType)}": kvm or qemu`,
  );
  check(hostName.test(network.name), `network.name "${network.name}": lower-case letters, digits and -`);
  check(
    /^[a-z][a-z0-9-]{0,14}$/.test(network.bridge),
    `network.bridge "${network.bridge}": at most 15 characters [a-z0-9-]`,
  );
  check(
    Number.isInteger(network.prefix) && network.prefix >= 8 && network.prefix <= 30,
    `network.prefix ${network.prefix}: 8–30`,
  );
  const addresses = {
    'network.gateway': gateway,
    address: spec.address,
    'dhcpRange[0]': network.dhcpRange[0],
    'dhcpRange[1]': network.dhcpRange[1],
  };
  for (const [field, value] of Object.entries(addresses)) {
    if (!ipv4.test(value)) problems.push(`${field} "${value}": not an IPv4 address`);
    else if (field !== 'network.gateway' && ipv4.test(gateway) && !inSubnet(value, gateway, network.prefix))
      problems.push(`${field} ${value}: outside ${gateway}/${network.prefix}`);
  }
  if (ipv4.test(spec.address) && ipv4.test(gateway)) {
    check(spec.address !== gateway, `address ${spec.address}: is the gateway's address`);
    const [first, last] = network.dhcpRange.map(toInt) as [number, number];
    check(first <= last, `dhcpRange ${network.dhcpRange.join('–')}: first address after the last`);
    const address = toInt(spec.address);
    check(
      address < first || address > last,
      `address ${spec.address}: inside the DHCP pool ${network.dhcpRange.join('–')} (a reserved address must not be handed to another guest)`,
    );
  }
  check(macPattern.test(spec.mac), `mac "${spec.mac}": six hex pairs separated by ':'`);
  check(userName.test(spec.user) && spec.user !== 'root', `user "${spec.user}": a non-root user name`);
  check(
    keyPattern.test(spec.sshPublicKey),
    'sshPublicKey: one OpenSSH public key line ("ssh-ed25519 AAAA… comment"), not a private key or a path',
  );
  for (const port of spec.publishedPorts) {
    check(
      Number.isInteger(port) && port >= 1 && port <= 65535 && port !== 22,
      `publishedPorts ${port}: 1–65535, not 22 (SSH is always open)`,
    );
  }
  if (spec.kernelBoot) {
    check(
      isAbsolute(spec.kernelBoot.kernel),
      `kernelBoot.kernel "${spec.kernelBoot.kernel}": an absolute path`,
    );
    check(
      isAbsolute(spec.kernelBoot.initrd),
      `kernelBoot.initrd "${spec.kernelBoot.initrd}": an absolute path`,
    );
  }
  for (const [guest, host] of Object.entries(spec.userModeForwards ?? {})) {
    const valid = (port: number) => Number.isInteger(port) && port >= 1 && port <= 65535;
    check(valid(Number(guest)) && valid(host), `userModeForwards ${guest}→${host}: ports 1–65535`);
  }
  if (problems.length > 0) throw new VmSpecError(problems);
  return spec;
}

/** Paths of a VM's files under its state directory. */
export function vmPaths(spec: VmSpec) {
  return {
    overlay: join(spec.stateDir, `${spec.name}.qcow2`),
    seed: join(spec.stateDir, `${spec.name}-seed.img`),
    knownHosts: join(spec.stateDir, 'known_hosts'),
  } as const;
}
