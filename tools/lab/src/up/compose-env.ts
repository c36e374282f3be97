// compose/.env for `lab up`: made once from compose/.env.example with a generated Grafana admin
// password (file mode 0600), then kept as the user edits it. The password is never printed.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, open, readFile, stat } from 'node:fs/promises';
import { LabError } from '../lab.error.js';

/** The variables of a .env file (KEY=VALUE lines; comments and blank lines skipped, no quoting rules). */
export type EnvValues = Readonly<Record<string, string>>;

export interface ComposeEnv {
  readonly file: string;
  /** True when this call made the file. */
  readonly created: boolean;
  readonly values: EnvValues;
}

const placeholder = 'change-me';

export function parseEnv(text: string): EnvValues {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (match) values[match[1]!] = match[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/** A new Grafana admin password: 24 URL-safe characters (144 random bits). */
export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Returns the env file, creating it from `example` when it does not exist: every line of the
 * example, with GRAFANA_ADMIN_PASSWORD set to a new random value. Created with mode 0600 (and
 * without following a file that appears meanwhile); an existing file is read, never rewritten.
 */
export async function ensureComposeEnv(file: string, example: string): Promise<ComposeEnv> {
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new LabError(`cannot read ${file}: ${error.message}`, 'fix its permissions, or move it away');
  });
  if (existing !== undefined) {
    const values = parseEnv(existing);
    const password = values['GRAFANA_ADMIN_PASSWORD'];
    if (!password || password === placeholder)
      throw new LabError(
        `${file} has no GRAFANA_ADMIN_PASSWORD (or still the example's "${placeholder}")`,
        `set one in it (e.g. openssl rand -base64 18), or delete the file and lab up makes a new one`,
      );
    // A file with a password must not be readable by others.
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
    return { file, created: false, values };
  }
  const template = await readFile(example, 'utf8').catch(() => {
    throw new LabError(
      `no ${example} to make ${file} from`,
      'run lab up from the repository (or pass --workspace)',
    );
  });
  const password = newPassword();
  // The example's opening comment says to copy it: this file is that copy.
  const body = /^# Copy to compose\/\.env/.test(template)
    ? template.slice(template.indexOf('\n\n') + 2)
    : template;
  const text = body.replace(/^GRAFANA_ADMIN_PASSWORD=.*$/m, `GRAFANA_ADMIN_PASSWORD=${password}`);
  const content = `# Made by \`lab up\` from compose/.env.example with a random Grafana admin password; yours to edit.\n${
    /^GRAFANA_ADMIN_PASSWORD=/m.test(text) ? text : `${text}\nGRAFANA_ADMIN_PASSWORD=${password}\n`
  }`;
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return { file, created: true, values: parseEnv(content) };
}
