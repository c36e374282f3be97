import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, run } from '@obslab/process';

/** A real PostgreSQL server on 127.0.0.1, in a temporary directory, for one test file. */
export interface PostgresServer {
  readonly port: number;
  /** A connection URL for `database` (default: postgres). */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown): clients see the database go away. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Freezes the server and its backends (SIGSTOP): connections stay open and nothing answers. */
  freeze(): void;
  /** Lets a frozen server run again (SIGCONT). */
  thaw(): void;
  /** Stops it and deletes its files; safe to call twice. */
  destroy(): Promise<void>;
}

const INSTALL_HINT =
  'install PostgreSQL server binaries (Debian: apt-get install -y postgresql) or set PG_BIN_DIR';

/** Where initdb, pg_ctl and createdb are: PG_BIN_DIR, else the newest /usr/lib/postgresql/N/bin. */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['PG_BIN_DIR']) return existsSync(join(env['PG_BIN_DIR'], 'initdb')) ? env['PG_BIN_DIR'] : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((entry) => existsSync(join(root, entry, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** PostgreSQL refuses to run as root: as root, run its programs as the `postgres` user. */
function asServerUser(): {
  wrap(program: string, args: string[]): [string, string[]];
  uid?: number;
  gid?: number;
} {
  if (process.getuid?.() !== 0) return { wrap: (program, args) => [program, args] };
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0)
    throw new Error(`running as root needs a "postgres" user to run the server: ${INSTALL_HINT}`);
  return {
    wrap: (program, args) => ['runuser', ['-u', 'postgres', '--', program, ...args]],
    uid: Number(id.stdout.trim()),
    gid: Number(gid.stdout.trim()),
  };
}

/** The postmaster's pid (first line of postmaster.pid) and the pids of its children (its backends). */
function serverProcesses(data: string): number[] {
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so parse after the last ')'.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

/** Initializes and starts a throwaway PostgreSQL server. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBinaries();
  if (!bin) throw new Error(`PostgreSQL server binaries not found: ${INSTALL_HINT}`);
  const user = asServerUser();
  const dir = mkdtempSync(join(tmpdir(), 'obslab-pg-'));
  if (user.uid !== undefined && user.gid !== undefined) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const exec = (program: string, args: string[]) => {
    const [command, argv] = user.wrap(join(bin, program), args);
    return run(command, argv, { timeoutMs: 60_000 });
  };
  await exec('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--no-sync',
    '--locale=C',
  ]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  let running = false;
  let destroyed = false;
  let frozen = false;
  const thaw = () => {
    if (!frozen) return;
    frozen = false;
    for (const pid of serverProcesses(data)) process.kill(pid, 'SIGCONT');
  };
  const stopNow = () => {
    if (!running) return;
    thaw(); // a frozen server cannot stop
    const [command, argv] = user.wrap(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    spawnSync(command, argv, { stdio: 'ignore' });
    running = false;
  };
  process.once('exit', stopNow);

  const server: PostgresServer = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      await exec('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
      return server.url(name);
    },
    async start() {
      await exec('pg_ctl', [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-o',
        options,
        '-w',
        '-t',
        '60',
        'start',
      ]);
      running = true;
    },
    freeze() {
      frozen = true;
      for (const pid of serverProcesses(data)) process.kill(pid, 'SIGSTOP');
    },
    thaw,
    async stop() {
      if (!running) return;
      thaw();
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      running = false;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      process.removeListener('exit', stopNow);
      try {
        await server.stop();
      } finally {
        stopNow();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  await server.start();
  return server;
}
