#!/usr/bin/env node
// Entry point of the `lab` CLI (`npx lab --help`). Plain JavaScript that any Node >= 18 can load:
// - on a Node other than the one pinned in the repository's .nvmrc, it re-runs itself through
//   scripts/with-node.sh (which finds or fetches that Node and installs the dependencies), passing
//   SIGTERM/SIGHUP on (Ctrl-C reaches the child directly) and exiting with the child's code;
// - on the pinned Node, it loads the compiled program from ../dist and, when the build is missing,
//   builds it once (`nx run lab:build`, progress on stderr) before loading it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectDir = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(dirname(projectDir));
const withNode = join(root, 'scripts', 'with-node.sh');
const nvmrc = join(root, '.nvmrc');
const args = process.argv.slice(2);
const say = (line) => process.stderr.write(`lab: ${line}\n`);

const pinned = existsSync(nvmrc) && existsSync(withNode) ? readFileSync(nvmrc, 'utf8').trim() : undefined;

if (pinned && process.versions.node !== pinned) {
  if (process.env.OBSLAB_LAB_REEXEC === pinned) {
    say(`scripts/with-node.sh ran Node ${process.versions.node}, not ${pinned} (.nvmrc)`);
    say(
      `  → install Node ${pinned} yourself, or remove ${process.env.OBSLAB_CACHE || '~/.cache/obslab'}/node-v${pinned} and run again`,
    );
    process.exit(1);
  }
  reexecOnPinnedNode(pinned);
} else {
  await load();
}

/** Runs this file again under the pinned Node (scripts/with-node.sh), forwarding signals and the exit code. */
function reexecOnPinnedNode(version) {
  runChild('bash', [withNode, 'node', fileURLToPath(import.meta.url), ...args], {
    ...process.env,
    OBSLAB_LAB_REEXEC: version,
  });
}

/** Runs a child with this terminal, passes on SIGTERM/SIGHUP once, and exits with its exit code. */
function runChild(program, argv, env) {
  const child = spawn(program, argv, { stdio: 'inherit', env });
  // A terminal's Ctrl-C reaches the whole process group, the child included: this process only
  // outlives it to report the child's exit code. SIGTERM and SIGHUP, which are sent to one process,
  // are passed on, once.
  let forwarded = false;
  const forward = (signal) => {
    if (forwarded) return;
    forwarded = true;
    child.kill(signal);
  };
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  child.on('error', (error) => {
    say(`cannot run ${program}: ${error.message}`);
    say(`  → install ${program}, or Node ${pinned} (see .nvmrc), and run again`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 15)));
}

/** Loads and runs the compiled CLI, building it first when it (or a library it imports) is missing. */
async function load() {
  const entry = join(projectDir, 'dist', 'main.js');
  if (!existsSync(entry) && pinned) build();
  let cli;
  try {
    cli = await import('../dist/main.js');
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !pinned || process.env.OBSLAB_LAB_BUILT === '1') {
      say(`cannot load the CLI (${error?.message ?? error})`);
      say('  → rebuild it: npm run build (or npm test)');
      process.exit(1);
    }
    // A library the CLI imports is not built: build, then start afresh (this process's module
    // cache remembers the failed imports).
    build();
    runChild(process.execPath, [fileURLToPath(import.meta.url), ...args], {
      ...process.env,
      OBSLAB_LAB_BUILT: '1',
    });
    return;
  }
  await cli.main(process.argv);
}

function build() {
  say('the CLI is not built yet: building it (nx run lab:build), output below');
  const result = spawnSync('bash', [withNode, 'nx', 'run', 'lab:build', '--output-style=static'], {
    cwd: root,
    // The build's output goes to stderr: stdout stays the CLI's own (e.g. `lab cluster up | grep export`).
    stdio: ['ignore', 2, 2],
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' },
  });
  if (result.status !== 0) {
    say(`building the CLI failed (${result.error?.message ?? `exit code ${result.status}`})`);
    say('  → fix the error above, then run: npm run build');
    process.exit(1);
  }
}
