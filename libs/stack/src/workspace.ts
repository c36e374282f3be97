import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Stack } from './component.types.js';
import { loadImageVersions } from './image-versions.js';
import { labStack } from './lab.stack.js';

/** The workspace root (the directory holding nx.json) above `from`. */
export function findWorkspaceRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nx.json above ${from}: run inside the obslab workspace`);
  }
}

/** Prometheus flags from a flags file: one per line, `#` comments and blank lines ignored. */
export function parseFlagsFile(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
}

/** Paths of the workspace files the stack is made from. */
export function stackPaths(root: string) {
  return {
    versions: join(root, 'compose/config/versions.json'),
    prometheusFlags: join(root, 'compose/config/prometheus/flags.txt'),
    appPackage: join(root, 'services/task-api/package.json'),
  };
}

/** The lab as this workspace defines it: versions.json, the Prometheus flags file, the app version. */
export function workspaceStack(root: string = findWorkspaceRoot()): Stack {
  const paths = stackPaths(root);
  const appVersion = (JSON.parse(readFileSync(paths.appPackage, 'utf8')) as { version: string }).version;
  const prometheusFlags = existsSync(paths.prometheusFlags)
    ? parseFlagsFile(readFileSync(paths.prometheusFlags, 'utf8'))
    : [];
  return labStack({ versions: loadImageVersions(paths.versions), appVersion, prometheusFlags });
}
