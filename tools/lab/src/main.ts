import { Command, CommanderError } from 'commander';
import { clusterCommand } from './cluster/cluster.command.js';
import { LabError, USAGE_EXIT_CODE } from './lab.error.js';
import { verifyCommand } from './verify/verify.command.js';
import { vmCommand } from './vm/vm.command.js';
import { deployCommand } from './deploy/deploy.command.js';
import { operatorCommand } from './operator/operator.command.js';
import { imagesCommand } from './images/images.command.js';
import { upCommands } from './up/up.command.js';

export { USAGE_EXIT_CODE };

/** The `lab` program; each command group (up/down/status, cluster, verify, vm, deploy, operator, images) lives in its own `*.command.ts`. */
export function createProgram(): Command {
  const program = new Command('lab')
    .description(
      'The obslab CLI: run the whole lab here (lab up, lab status, lab down), build the lab’s images, verify a deployed lab end to end, run a local Kubernetes control plane, bring up the lab VM and deploy the compose lab onto it, and run the ObservabilityLab operator.',
    )
    .version('0.1.0');
  for (const command of [
    ...upCommands(),
    clusterCommand(),
    verifyCommand(),
    vmCommand(),
    deployCommand(),
    operatorCommand(),
    imagesCommand(),
  ])
    program.addCommand(command);
  forEachCommand(program, (command) => command.exitOverride().showHelpAfterError());
  return program;
}

/** Visits `command` and every subcommand below it (addCommand does not pass settings down). */
export function forEachCommand(command: Command, visit: (command: Command) => void): void {
  visit(command);
  for (const sub of command.commands) forEachCommand(sub, visit);
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
      // Commander has printed the problem and the help; --help and --version exit 0.
      process.exitCode = error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
      return;
    }
    console.error(
      `lab: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  }
}
