export {
  defaultBaseImage,
  defineVm,
  type DirectKernelBoot,
  type DomainType,
  type VmNetwork,
  vmPaths,
  type VmSpec,
  VmSpecError,
  type VmSpecInput,
} from './vm.config.js';
export {
  type DomainFiles,
  qemuArgs,
  renderDomainXml,
  renderNetworkXml,
  userModeNetworkArgs,
} from './libvirt.xml.js';
export {
  firewallPaths,
  renderFirewall,
  renderFirewallUnit,
  renderMetaData,
  renderNetworkConfig,
  renderSshdDropIn,
  renderUserData,
  sshdDropInPath,
  vmPackages,
} from './cloud-init.js';
export { renderVm, type RenderedVm, writeRenderedVm } from './vm.render.js';
