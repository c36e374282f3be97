// Everything a VM spec renders to, as named files: what `lab vm render` writes for review.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  renderMetaData,
  renderNetworkConfig,
  renderSshdDropIn,
  renderFirewall,
  renderFirewallUnit,
  renderUserData,
} from './cloud-init.js';
import { type DomainFiles, renderDomainXml, renderNetworkXml } from './libvirt.xml.js';
import { type VmSpec } from './vm.config.js';

/** File name → content. */
export type RenderedVm = Readonly<Record<string, string>>;

export function renderVm(spec: VmSpec, files?: DomainFiles): RenderedVm {
  return {
    'network.xml': renderNetworkXml(spec),
    'domain.xml': renderDomainXml(spec, files),
    'user-data': renderUserData(spec),
    'meta-data': renderMetaData(spec),
    'network-config': renderNetworkConfig(spec),
    // Also inside user-data; separate copies for review and for `sshd -t` / `nft -c`.
    '10-obslab.conf': renderSshdDropIn(spec),
    'firewall.nft': renderFirewall(spec),
    'obslab-firewall.service': renderFirewallUnit(),
  };
}

/** Writes the rendered files into `dir` (created); returns their paths by name. */
export async function writeRenderedVm(dir: string, rendered: RenderedVm): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(rendered)) {
    paths[name] = join(dir, name);
    await writeFile(paths[name], content, { mode: name === 'user-data' ? 0o600 : 0o644 });
  }
  return paths;
}
