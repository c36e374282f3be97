// `lab vm render|up|down|status|ssh`: the lab VM from its spec (@obslab/kvm) on libvirt.
import { spawn } from 'node:child_process';
import { renderVm, writeRenderedVm } from '@obslab/kvm';
import { Command } from 'commander';
import { sshArgs, sshOptions } from '../deploy/ssh.target.js';
import { step } from '../deploy/step.runner.js';
import { numberOption, seconds } from '../options/option.parsers.js';
import { sshTargetOf, type VmContext, vmDown, vmStatus, vmUp } from './vm.lifecycle.js';
import { specOf, type VmOptions, withVmOptions } from './vm.options.js';

const contextOf = (options: VmOptions): VmContext => ({
  spec: specOf(options),
  connect: options.connect,
  identity: options.identity,
});

export function vmCommand(): Command {
  const vm = new Command('vm').description(
    "The lab VM as code (Debian, key-only SSH for the deploy user, Docker with Compose v2, a host firewall) on libvirt. Defaults are the story's VM: 4 vCPU, 8 GiB, 192.168.122.250 on a NAT network, key ~/.ssh/id_ed25519_jenkins.",
  );

  withVmOptions(
    vm
      .command('render')
      .description(
        'write the network XML, domain XML and cloud-init files (user-data, meta-data, network-config) without touching libvirt',
      )
      .requiredOption('--out <dir>', 'output directory (created)'),
  ).action(async (options: VmOptions & { out: string }) => {
    const paths = await writeRenderedVm(options.out, renderVm(specOf(options)));
    for (const path of Object.values(paths)) console.log(path);
  });

  withVmOptions(
    vm
      .command('up')
      .description(
        'define and start the network and the VM (copy-on-write overlay of the base image, cloud-init seed), wait for SSH, print the address; does only what is missing',
      )
      .addOption(
        numberOption('--timeout <seconds>', 'how long to wait for SSH and cloud-init', seconds).default(900),
      ),
  ).action(async (options: VmOptions & { timeout: number }) => {
    await vmUp(contextOf(options), { timeoutMs: options.timeout * 1000 });
  });

  withVmOptions(
    vm
      .command('down')
      .description(
        'shut the VM down (power it off after --timeout); --purge also undefines it and deletes its disk, seed and network',
      )
      .option('--purge', 'undefine the domain and network and delete the state directory', false)
      .addOption(
        numberOption('--timeout <seconds>', 'how long a clean shutdown may take', seconds).default(60),
      ),
  ).action(async (options: VmOptions & { purge: boolean; timeout: number }) => {
    await vmDown(contextOf(options), { purge: options.purge, timeoutMs: options.timeout * 1000 });
  });

  withVmOptions(
    vm
      .command('status')
      .description(
        'say whether the VM and its network are defined and running and whether SSH answers (exit code 1 when the VM does not run)',
      ),
  ).action(async (options: VmOptions) => {
    if (!(await vmStatus(contextOf(options)))) process.exitCode = 1;
  });

  withVmOptions(
    vm
      .command('ssh')
      .description('run a command in the VM as the deploy user (after --), or open a shell')
      .argument('[command...]', 'the remote command'),
  ).action(async (command: string[], options: VmOptions) => {
    const target = sshTargetOf(contextOf(options));
    if (command.length > 0) {
      const { stdout, stderr } = await step(
        'running the command over SSH',
        'ssh',
        sshArgs(target, command.join(' ')),
        { timeoutMs: 3_600_000 },
      );
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      return;
    }
    // An interactive shell needs the terminal: the one call that does not go through run().
    const child = spawn('ssh', [...sshOptions(target), '-t', `${target.user}@${target.host}`], {
      stdio: 'inherit',
    });
    const code = await new Promise<number>((resolve) => child.on('close', (exit) => resolve(exit ?? 1)));
    process.exitCode = code;
  });
  return vm;
}
