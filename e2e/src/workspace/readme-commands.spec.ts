// Every shell command block of README.md and the sub-READMEs, checked so the docs cannot rot: npm
// scripts and Nx targets exist, `npx lab …` names real commands and options (and their --help
// runs), files and scripts named exist, and no macOS-only `open`. Commands that need what this
// machine does not offer to a test (Docker, a cluster, libvirt, a browser) are listed with why.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const labBin = join(root, 'tools/lab/bin/lab.js');

export interface DocCommand {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** The commands of ```bash/sh/shell blocks: comments dropped, `\` continuations joined. */
export function shellCommands(file: string, markdown: string): DocCommand[] {
  const commands: DocCommand[] = [];
  const lines = markdown.split('\n');
  let inBlock = false;
  let pending = '';
  let start = 0;
  lines.forEach((raw, index) => {
    const fence = /^\s*```(\w*)\s*$/.exec(raw);
    if (fence) {
      inBlock = !inBlock && ['bash', 'sh', 'shell'].includes(fence[1]!);
      return;
    }
    if (!inBlock) return;
    const line = raw.replace(/\s+#\s.*$/, '').trim();
    if (!pending) start = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const text = (pending + line).trim();
    pending = '';
    if (text && !text.startsWith('#')) commands.push({ file, line: start, text });
  });
  return commands;
}

/** Splits like a shell would for simple commands: quotes kept together, no expansion. */
export function words(command: string): string[] {
  return [...command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

const readmes = execFileSync('git', ['ls-files', 'README.md', '*/README.md'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const commands = readmes.flatMap((file) => shellCommands(file, readFileSync(join(root, file), 'utf8')));

const scripts = Object.keys(
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts,
);
const targets = new Map<string, string[]>(
  execFileSync('git', ['ls-files', 'project.json', '*/project.json'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((file) => {
      const project = JSON.parse(readFileSync(join(root, file), 'utf8')) as {
        name: string;
        targets?: Record<string, unknown>;
      };
      return [project.name, Object.keys(project.targets ?? {})];
    }),
);

type Verdict = { checked: string } | { notRun: string };

/** Where a path in a README's command is: from the repository root, or from the README's folder. */
const exists = (path: string, from: string) =>
  existsSync(join(root, path)) || existsSync(join(root, dirname(from), path));

/** What `lab <path> --help` says: its subcommands and options (undefined: no such command). */
interface LabHelp {
  readonly commands: string[];
  readonly options: string[];
}
const labHelp = new Map<string, LabHelp | undefined>();

async function loadLabHelp(path: string[]): Promise<void> {
  const key = path.join(' ');
  if (labHelp.has(key)) return;
  labHelp.set(key, undefined);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [labBin, ...path, '--help'], {
      timeout: 120_000,
    });
    const section = (name: string) => stdout.split(`\n${name}:\n`)[1]?.split('\n\n')[0] ?? '';
    labHelp.set(key, {
      commands: [...section('Commands').matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!),
      options: [...section('Options').matchAll(/^ {2}(?:(-\w), )?(--[\w-]+)/gm)].flatMap((m) =>
        [m[1], m[2]].filter((o): o is string => Boolean(o)),
      ),
    });
  } catch {
    // not a command: stays undefined
  }
}

/** The words after `npx lab` that can name a (sub)command, for loading their help up front. */
function commandWords(args: string[]): string[] {
  const end = args.findIndex((word) => !/^[a-z][\w-]*$/.test(word));
  return end === -1 ? args : args.slice(0, end);
}

/** The lab command named by `args` (after `lab`), checked against its help. */
function labCommand(args: string[]): string[] {
  const path: string[] = [];
  for (const word of args) {
    if (!labHelp.get(path.join(' '))?.commands.includes(word)) break;
    path.push(word);
  }
  const help = labHelp.get(path.join(' '));
  assert.ok(help, `lab ${path.join(' ')}: its --help did not run`);
  assert.ok(path.length > 0 && help.commands.length === 0, `lab ${args.join(' ')}: not a lab command`);
  const unknown = args
    .map((word) => word.replace(/^\[|\]$/g, ''))
    .filter((word) => word.startsWith('-') && word !== '--')
    .map((word) => word.split('=')[0]!)
    .filter((option) => !help.options.includes(option));
  assert.deepEqual(unknown, [], `lab ${path.join(' ')} has no option(s) ${unknown.join(', ')}`);
  return path;
}

const labPaths = new Set<string>();

/** Checks what can be checked here; says why the rest is not run. Throws on a rotten command. */
function judge(command: DocCommand): Verdict {
  assert.doesNotMatch(command.text, /(^|[;&|]\s*)open\s/, 'macOS `open`: use xdg-open or a plain URL');
  assert.doesNotMatch(command.text, /\bnpx nx\b/, '`npx nx` needs Node 24 on the PATH: use npm run nx -- …');
  let argv = words(command.text);
  while (argv[0] && /^[A-Z_][A-Z0-9_]*=/.test(argv[0])) argv = argv.slice(1); // VAR=value prefixes
  if (argv[0] === 'sudo') argv = argv.slice(1);
  const [program = '', ...args] = argv;
  switch (program) {
    case 'npm': {
      const script = args[0] === 'run' ? args[1]! : args[0]!;
      assert.ok(scripts.includes(script), `no npm script "${script}" in package.json`);
      if (script === 'nx') {
        const rest = args.slice(args.indexOf('--') + 1);
        const [project, target] =
          rest[0] === 'run' ? (rest[1] ?? '').split(':') : [rest[1] ?? '', rest[0] ?? ''];
        assert.ok(targets.get(project!)?.includes(target!), `no Nx target ${project}:${target}`);
        return { checked: `Nx target ${project}:${target} exists (npm test runs every target's specs)` };
      }
      return {
        checked: `npm script "${script}" exists (npm start and npm run bench are run by npm-scripts.spec)`,
      };
    }
    case 'npx': {
      assert.equal(args[0], 'lab', `npx ${args[0]}: only the repository's own lab is documented`);
      const path = labCommand(args.slice(1));
      labPaths.add(path.join(' '));
      return { checked: `lab ${path.join(' ')} exists with these options (its --help ran)` };
    }
    case 'bash':
    case 'cp': {
      const file = args.find((word) => !word.startsWith('-'))!;
      assert.ok(exists(file, command.file), `${file} does not exist`);
      if (program === 'cp') return { checked: `${file} exists` };
      return { notRun: `${file} exists; running it needs Go, Docker or root (the e2e suites run it)` };
    }
    case 'docker':
    case 'kubectl': {
      for (const [i, word] of args.entries())
        if ((word === '-f' || word === '--file') && args[i + 1] !== '-')
          assert.ok(exists(args[i + 1]!, command.file), `${args[i + 1]} does not exist`);
      return {
        notRun:
          program === 'docker'
            ? 'needs a Docker engine; files named exist'
            : 'needs a Kubernetes cluster; files named exist',
      };
    }
    case 'curl':
      return { notRun: 'needs npm start running (npm-scripts.spec runs it and calls the API)' };
    case 'xdg-open':
      return { notRun: 'opens a browser' };
    case 'ssh-keygen':
      return { notRun: 'writes a key pair into ~/.ssh' };
    case 'eval':
      return { notRun: 'changes the shell it runs in (starts a control plane)' };
    default:
      if (program && /\.sh$/.test(program)) {
        assert.ok(exists(program, command.file), `${program} does not exist`);
        return { notRun: `${program} exists; it builds a tool with Go` };
      }
      return { notRun: `${program}: not checked (a shell variable or a tool this test does not know)` };
  }
}

describe('the README commands', () => {
  before(async () => {
    // Every lab command the READMEs name, and each prefix of it, with its --help: in parallel.
    const paths = new Map<string, string[]>([['', []]]);
    for (const command of commands) {
      const argv = words(command.text);
      const at = argv.indexOf('lab');
      if (argv[at - 1] !== 'npx') continue;
      const named = commandWords(argv.slice(at + 1)).slice(0, 2);
      for (let n = 1; n <= named.length; n++) paths.set(named.slice(0, n).join(' '), named.slice(0, n));
    }
    await loadLabHelp([]);
    await Promise.all([...paths.values()].map((path) => loadLabHelp(path)));
  });

  it('finds the command blocks of README.md and the sub-READMEs', () => {
    assert.ok(readmes.length >= 10, readmes.join(', '));
    assert.ok(commands.some((command) => command.file === 'README.md' && command.text === 'npm start'));
    assert.ok(commands.length > 50, String(commands.length));
  });

  it('every command names real scripts, targets, lab commands, options and files', (t) => {
    const problems: string[] = [];
    for (const command of commands) {
      try {
        const verdict = judge(command);
        t.diagnostic(
          `${command.file}:${command.line}: ${command.text}  →  ${'checked' in verdict ? `checked: ${verdict.checked}` : `not run here: ${verdict.notRun}`}`,
        );
      } catch (error) {
        problems.push(`${command.file}:${command.line}: ${command.text}\n    ${(error as Error).message}`);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(labPaths.size >= 8, `lab commands checked: ${[...labPaths].join(', ')}`);
  });

  it('catches a rotten command (the checks can fail)', () => {
    const rotten = [
      'npm run no-such-script',
      'npm run nx -- run lab:no-such-target',
      'npx lab verify --no-such-option',
      'npx lab no-such-command',
      'open http://localhost:3000',
      'bash scripts/no-such-script.sh',
      'docker compose -f compose/no-such.yaml up',
      'npx nx run lab:test',
    ];
    for (const text of rotten) assert.throws(() => judge({ file: 'README.md', line: 0, text }), text);
  });
});
