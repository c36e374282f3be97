import { Command, CommanderError } from 'commander';
import { clusterCommand } from './cluster.command.js';
import { LabError } from './lab.error.js';
import { verifyCommand } from './verify/verify.command.js';
import { vmCommand } from './vm/vm.command.js';
import { deployCommand } from './deploy/deploy.command.js';
import { operatorCommand } from './operator/operator.command.js';
import { imagesCommand } from './images/images.command.js';

/** The `lab` program; each command group (cluster, verify, vm, deploy, operator) lives in its own `*.command.ts`. */
export function createProgram(): Command {
  return new Command('lab')
    .description(
      'The obslab CLI: build the lab’s images, verify a deployed lab end to end, run a local Kubernetes control plane, bring up the lab VM and deploy the compose lab onto it, and run the ObservabilityLab operator.',
    )
    .version('0.1.0')
    .showHelpAfterError()
    .addCommand(clusterCommand())
    .addCommand(verifyCommand())
    .addCommand(vmCommand())
    .addCommand(deployCommand())
    .addCommand(operatorCommand())
    .addCommand(imagesCommand());
}

/** Runs the CLI with `argv` as in process.argv (node, script, ...args); sets process.exitCode on failure. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await createProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof LabError) {
      console.error(`lab: ${error.message}`);
      if (error.hint) console.error(`  → ${error.hint}`);
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    console.error(
      `lab: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  }
}
