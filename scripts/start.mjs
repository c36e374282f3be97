// `npm start`: builds task-api and the UI, then runs task-api in the foreground as this process's
// child and prints its URL once it answers /health/ready. The command, working directory and
// environment are task-api's `serve` target in services/task-api/project.json (one place for them).
// Ctrl-C or SIGTERM (also when sent to npm, which passes it on) stops the service cleanly, and this
// process exits with the service's exit code: 0 after a clean stop. No Nx process is left in
// between, so nothing reports a stopped service as a failed task.
// Run through scripts/with-node.sh (the pinned Node, nx on the PATH): `npm start`.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const say = (line) => process.stderr.write(`[obslab] ${line}\n`);

const project = JSON.parse(readFileSync(join(root, 'services/task-api/project.json'), 'utf8'));
const serve = project.targets.serve.options;
const [program, ...args] = serve.command.split(' ');
const cwd = resolve(root, serve.cwd.replace('{projectRoot}', 'services/task-api'));

say('building task-api and the UI (nx run-many -t build -p task-api,frontend)');
const build = spawnSync(
  'nx',
  ['run-many', '-t', 'build', '-p', 'task-api,frontend', '--output-style=static', '--verbose=false'],
  {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' },
  },
);
if (build.status !== 0) {
  say(`the build failed (${build.error?.message ?? `exit code ${build.status}`}): see the output above`);
  process.exit(1);
}

const env = { ...process.env, ...serve.env };
const port = Number(env.PORT || 3000);
const host = !env.HOST || env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
say(`starting task-api (${serve.command} in services/task-api)`);
const service = spawn(program === 'node' ? process.execPath : program, args, {
  cwd,
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});

// A terminal's Ctrl-C reaches the service itself (same process group); a signal sent to this
// process alone (by npm, or kill <pid>) is passed on. Either way the service gets one SIGTERM
// from here, at most: its own handlers stop it once and exit 0.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  service.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const exited = new Promise((resolve) => {
  service.on('exit', (code, signal) =>
    resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15)),
  );
  service.on('error', (error) => {
    say(`cannot start task-api: ${error.message}`);
    resolve(1);
  });
});

void announceWhenReady();
const code = await exited;
if (code !== 0) say(`task-api exited with code ${code}`);
process.exit(code);

/** Polls /health/ready until it answers 200, then prints where everything is. */
async function announceWhenReady() {
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const deadline = Date.now() + 120_000;
  while (!stopping && service.exitCode === null && Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) {
        const url = `http://localhost:${port}`;
        process.stderr.write(
          `\n[obslab] task-api is ready: ${url}  (the UI; API docs ${url}/api/docs, metrics ${url}/metrics)\n` +
            `[obslab] data in ${resolve(cwd, env.DATA_DIR || 'data')}; Ctrl-C stops it\n\n`,
        );
        return;
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
}
