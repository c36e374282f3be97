import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@obslab/process';
import { createProgram, forEachCommand, USAGE_EXIT_CODE } from './main.js';
import { runLab } from './testing/run-lab.js';

const requiredValues: Record<string, string> = { '--url': 'http://127.0.0.1:1', '--host': 'a@b' };

/**
 * Every runnable `lab` command, as the words that name it (`['cluster', 'up']`) followed by its
 * required options (Commander reports a missing one before an unknown one).
 */
function leafCommands(): string[][] {
  const leaves: string[][] = [];
  const walk = (path: string[], command: ReturnType<typeof createProgram>) => {
    if (command.commands.length === 0)
      leaves.push([
        ...path,
        ...command.options
          .filter((option) => option.mandatory && option.long)
          .flatMap((option) => [option.long!, requiredValues[option.long!] ?? 'x']),
      ]);
    for (const sub of command.commands) walk([...path, sub.name()], sub);
  };
  walk([], createProgram());
  return leaves;
}

const stackTrace = /^\s+at .+:\d+:\d+\)?$/m;

describe('lab exit codes', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'obslab-lab-exit-'));
  });
  after(() => rm(home, { recursive: true, force: true }));

  it('sets up every command, nested ones included, to report usage errors instead of exiting', () => {
    const commands: string[] = [];
    forEachCommand(createProgram(), (command) => commands.push(command.name()));
    assert.ok(commands.length > 10, commands.join(' '));
    assert.ok(leafCommands().length >= 11, JSON.stringify(leafCommands()));
  });

  it('exits with 2 and names the option when any command gets an unknown option', async () => {
    const results = await Promise.all(
      leafCommands().map(async (words) => ({ words, ...(await runLab([...words, '--bogus-option'])) })),
    );
    for (const { words, code, stderr } of results) {
      assert.equal(code, USAGE_EXIT_CODE, `lab ${words.join(' ')}: ${stderr}`);
      assert.match(stderr, /unknown option '--bogus-option'/, `lab ${words.join(' ')}`);
      assert.match(stderr, /Usage: lab /, `lab ${words.join(' ')} shows its usage`);
    }
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['no command at all', [], /Usage: lab \[options\] \[command\]/],
    ['an unknown command', ['nope'], /unknown command 'nope'/],
    ['a group without its subcommand', ['cluster'], /Usage: lab cluster/],
    ['a missing required option', ['verify'], /required option '--url <url>' not specified/],
    ['a URL that is not http', ['verify', '--url', 'ftp://example'], /not an http\(s\) URL: ftp:\/\/example/],
    ['an unknown check', ['verify', '--url', 'http://127.0.0.1:1', '--only', 'tarces'], /unknown check/],
    ['a bad --timeout', ['cluster', 'up', '--timeout', 'soon'], /--timeout must be a positive number/],
    ['a bad --fake-nodes', ['cluster', 'up', '--fake-nodes', '-1'], /--fake-nodes must be a whole number/],
    [
      'a bad --verify-wait',
      ['deploy', '--host', 'a@b', '--verify-wait', 'x'],
      /--verify-wait must be a positive number of seconds, got "x"/,
    ],
    [
      'a bad --concurrency',
      ['operator', 'run', '--concurrency', '0'],
      /--concurrency must be a whole number/,
    ],
    ['a bad --probes-address', ['operator', 'run', '--probes-address', 'here'], /use host:port/],
  ];
  for (const [what, args, message] of usageErrors) {
    it(`exits with 2 on ${what}: lab ${args.join(' ')}`, async () => {
      const { code, stderr } = await runLab(args);
      assert.equal(code, USAGE_EXIT_CODE, stderr);
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, stackTrace);
    });
  }

  it('exits with 0 on --help and --version', async () => {
    const help = await runLab(['operator', 'run', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /--kubeconfig <path>/);
    const version = await runLab(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+$/m);
  });

  it('exits with 1 and says what to do when a check fails (nothing listens at the URL)', async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await runLab([
      'verify',
      '--url',
      `http://127.0.0.1:${port}`,
      '--only',
      'app',
      '--wait',
      '1',
    ]);
    assert.equal(code, 1, stderr);
    assert.match(stdout, /✖ app:/);
    assert.match(stderr, /^lab: 1 check\(s\) failed: app$/m);
    assert.match(stderr, /^ {2}→ app: /m);
  });

  it('lab operator run without any kubeconfig exits with 2 and says how to get one, without a stack trace', async () => {
    const env = { ...process.env, HOME: home, KUBECONFIG: '' };
    const { code, stderr } = await runLab(['operator', 'run', '--probes-address', 'off'], env);
    assert.equal(code, USAGE_EXIT_CODE, stderr);
    assert.match(stderr, /^lab: no kubeconfig: --kubeconfig is not given, KUBECONFIG is not set/m);
    assert.match(stderr, /→ .*lab cluster up/);
    assert.doesNotMatch(stderr, stackTrace);
    assert.doesNotMatch(stderr, /unexpected error/);
  });

  it('lab operator run against a cluster that does not answer exits with 1 and a hint, without a stack trace', async () => {
    // A port that accepts and closes at once: the API server "is there" but answers nothing.
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const kubeconfig = join(home, 'kubeconfig');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:' +
          port +
          '", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    try {
      const { code, stderr } = await runLab([
        'operator',
        'run',
        '--kubeconfig',
        kubeconfig,
        '--probes-address',
        'off',
      ]);
      assert.equal(code, 1, stderr);
      assert.match(stderr, /^lab: /m);
      assert.match(stderr, /→ /);
      assert.doesNotMatch(stderr, stackTrace);
    } finally {
      server.close();
    }
  });
});
