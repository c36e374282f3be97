// The ConfigMaps of a component: one per config mount of the stack, with the repository's files
// or the contents a component construct renders for Kubernetes instead.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { type Component, type ConfigMount } from '@obslab/stack';
import { type ResolvedLabProps } from './lab.props.js';

/** One ConfigMap per config mount: its name, data keys, and where each key goes below the mount. */
export interface ConfigVolume {
  readonly mount: ConfigMount;
  readonly name: string;
  readonly data: Record<string, string>;
  readonly items: { key: string; path: string }[];
}

function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      const relative = prefix ? `${prefix}/${entry}` : entry;
      return statSync(path).isDirectory() ? filesBelow(path, relative) : [relative];
    });
}

/**
 * The ConfigMaps of `component`; `overrides` replace file contents by workspace-relative source
 * path, and naming a file the component does not mount is an error.
 */
export function configVolumes(
  component: Component,
  lab: ResolvedLabProps,
  overrides: Readonly<Record<string, string>> = {},
): ConfigVolume[] {
  const unused = new Set(Object.keys(overrides));
  const read = (source: string) => {
    unused.delete(source);
    return overrides[source] ?? readFileSync(join(lab.workspaceRoot, source), 'utf8');
  };
  const volumes = component.config.map((mount): ConfigVolume => {
    if (mount.kind === 'file') {
      const key = basename(mount.target);
      return {
        mount,
        name: `${component.name}-config`,
        data: { [key]: read(mount.source) },
        items: [{ key, path: key }],
      };
    }
    const files = filesBelow(join(lab.workspaceRoot, mount.source));
    const data: Record<string, string> = {};
    const items = files.map((file) => {
      const key = file.replaceAll('/', '__');
      data[key] = read(posix.join(mount.source, file));
      return { key, path: file };
    });
    return { mount, name: `${component.name}-${posix.basename(mount.source)}`, data, items };
  });
  if (unused.size > 0)
    throw new Error(
      `LabChart: configOverrides of ${component.name} name ${[...unused].join(', ')}, which it does not mount (check the stack's config of ${component.name})`,
    );
  return volumes;
}
