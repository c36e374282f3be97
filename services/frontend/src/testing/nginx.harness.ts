import { eventually, freePort } from '@obslab/process';
import { readNginxTemplate, renderNginxTemplate } from '../nginx/nginx-template.renderer.js';
import { UI_DIST } from './task-api.process.js';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The nginx binary: $NGINX_BIN, Debian's /usr/sbin/nginx, or `nginx` on the PATH. */
export function nginxBinary(): string {
  const fromEnv = process.env['NGINX_BIN'];
  if (fromEnv) return fromEnv;
  return existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
}

const MIME_TYPES = '/etc/nginx/mime.types';

/**
 * A minimal main nginx.conf around a rendered server config, like the image's: foreground, pid
 * and temp paths in `dir`, the server config included in http {}. As root the workers stay root
 * (they must write the temp paths in a 0700 directory); otherwise nginx runs as the current user.
 */
export function mainConfig(dir: string): string {
  if (!existsSync(MIME_TYPES)) {
    throw new Error(
      `${MIME_TYPES} is missing: install Debian's nginx (apt-get install nginx-light or nginx)`,
    );
  }
  const temp = (name: string) => join(dir, 'temp', name);
  return [
    'daemon off;',
    'worker_processes 1;',
    process.getuid?.() === 0 ? 'user root root;' : '',
    `pid ${join(dir, 'nginx.pid')};`,
    'error_log stderr notice;',
    'events { worker_connections 256; }',
    'http {',
    `  include ${MIME_TYPES};`,
    '  default_type application/octet-stream;',
    '  sendfile on;',
    `  client_body_temp_path ${temp('client_body')};`,
    `  proxy_temp_path ${temp('proxy')};`,
    `  fastcgi_temp_path ${temp('fastcgi')};`,
    `  uwsgi_temp_path ${temp('uwsgi')};`,
    `  scgi_temp_path ${temp('scgi')};`,
    `  include ${join(dir, 'conf.d')}/*.conf;`,
    '}',
    '',
  ].join('\n');
}

/** A directory holding nginx.conf and conf.d/default.conf for `serverConfig`. */
export function writeNginxConfig(serverConfig: string): { dir: string; file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'obslab-nginx-'));
  mkdirSync(join(dir, 'conf.d'));
  mkdirSync(join(dir, 'temp'));
  writeFileSync(join(dir, 'conf.d', 'default.conf'), serverConfig);
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, mainConfig(dir));
  return { dir, file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `nginx -t` on a server config: resolves when nginx accepts it, else rejects with nginx's message.
 * stdout is a file, as in {@link startNginx}: nginx opens the access log's /dev/stdout even to test.
 */
export async function testNginxConfig(serverConfig: string): Promise<void> {
  const config = writeNginxConfig(serverConfig);
  const command = [nginxBinary(), '-t', '-p', config.dir, '-e', 'stderr', '-c', config.file];
  const stdoutFd = openSync(join(config.dir, 'stdout.log'), 'a');
  try {
    const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', stdoutFd, 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`\`${command.join(' ')}\` exited with ${code}:\n${stderr.trim()}`);
  } finally {
    closeSync(stdoutFd);
    config.remove();
  }
}

/** A real nginx in the foreground on loopback. */
export interface NginxServer {
  readonly baseUrl: string;
  readonly child: ChildProcess;
  /** Parsed JSON access log lines (the template logs to /dev/stdout). */
  accessLog(): Record<string, unknown>[];
  /** nginx's error log and any non-JSON output. */
  noise(): string;
  stop(): Promise<void>;
}

export interface StartNginxOptions {
  /** Serve static files from here instead of the image's /usr/share/nginx/html. */
  readonly root?: string;
}

/**
 * Starts nginx with a server config rendered with `NGINX_PORT=127.0.0.1:<free port>`: `render`
 * gets the listen address and returns the config. Waits until /healthz answers.
 */
export async function startNginx(
  render: (listen: string) => string,
  options: StartNginxOptions = {},
): Promise<NginxServer> {
  const port = await freePort();
  let serverConfig = render(`127.0.0.1:${port}`);
  if (options.root) {
    const before = serverConfig;
    serverConfig = serverConfig.replace('root /usr/share/nginx/html;', `root ${options.root};`);
    if (serverConfig === before)
      throw new Error('the server config has no `root /usr/share/nginx/html;` to replace');
  }
  const config = writeNginxConfig(serverConfig);
  // The access log goes to /dev/stdout, which nginx opens by path: that fails on the socket node
  // uses for a piped stdout (ENXIO), so stdout is a file here, as it is a file or pipe in a container.
  const stdoutFile = join(config.dir, 'stdout.log');
  const stdoutFd = openSync(stdoutFile, 'a');
  const child = spawn(nginxBinary(), ['-p', config.dir, '-e', 'stderr', '-c', config.file], {
    stdio: ['ignore', stdoutFd, 'pipe'],
  });
  closeSync(stdoutFd);
  let noise = '';
  child.stderr?.on('data', (chunk: Buffer) => (noise += chunk.toString()));
  const stdoutLines = (): string[] => {
    try {
      return readFileSync(stdoutFile, 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  const accessLog = (): Record<string, unknown>[] =>
    stdoutLines().flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${noise}`);
        const response = await fetch(`${baseUrl}/healthz`);
        if (!response.ok) throw new Error(`/healthz answered ${response.status}`);
      },
      { timeoutMs: 10_000, intervalMs: 50, description: 'nginx answers /healthz' },
    );
  } catch (error) {
    child.kill('SIGKILL');
    config.remove();
    throw error;
  }
  return {
    baseUrl,
    child,
    accessLog,
    noise: () =>
      noise +
      stdoutLines()
        .filter((line) => !line.startsWith('{'))
        .join('\n'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      config.remove();
    },
  };
}

/**
 * The template as the loopback tests run it: nginx serving the built UI, proxying /api/ to
 * `taskApiUrl` and /otlp/ to `collectorUrl` (IP literals, so the resolver is never asked).
 */
export function startNginxInFront(taskApiUrl: string, collectorUrl: string): Promise<NginxServer> {
  return startNginx(
    (listen) =>
      renderNginxTemplate(readNginxTemplate(), {
        NGINX_PORT: listen,
        NGINX_RESOLVER: '127.0.0.1',
        TASK_API_URL: taskApiUrl,
        OTEL_COLLECTOR_URL: collectorUrl,
        GRAFANA_URL: 'http://grafana.example.test:3001',
      }),
    { root: UI_DIST },
  );
}
