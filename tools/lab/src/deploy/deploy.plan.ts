// What `lab deploy` ships, asked of the stack model (@obslab/stack) rather than of `docker compose
// config`: the services it may start, the images built here from the repository's Dockerfiles, and
// the repository files the compose lab bind-mounts. Pure: no I/O, so a spec can hold it against the
// generated compose file.
import { composePaths } from '@obslab/compose';
import { type Component, type ComponentName, type Stack, formatImageRef } from '@obslab/stack';
import { parseNames } from '../options/option.parsers.js';

/** An image built on this machine and copied to the host. */
export interface ImageBuild {
  readonly component: ComponentName;
  /** The reference compose runs, e.g. `obslab/task-api:0.1.0`. */
  readonly image: string;
  /** Build context and Dockerfile, relative to the workspace root. */
  readonly context: string;
  readonly dockerfile: string;
}

export interface DeployPlan {
  /** The services `compose up` starts; empty: all of them. */
  readonly services: readonly ComponentName[];
  readonly builds: readonly ImageBuild[];
  /** The compose file and every configuration file or directory it mounts, relative to the workspace root. */
  readonly files: readonly string[];
}

/**
 * The plan for `services` (all when empty). Opt-in add-ons are not part of a deploy: compose leaves
 * them out without their profile, so naming one is a usage error, as is an unknown name.
 */
export function deployPlan(stack: Stack, services: readonly string[]): DeployPlan {
  const deployable = stack.components.filter((component) => component.database === undefined);
  const names = deployable.map((component) => component.name);
  const chosen =
    services.length > 0 ? parseNames('--services', services.join(','), { noun: 'service', names }) : [];
  const wanted = chosen.length > 0 ? deployable.filter((c) => chosen.includes(c.name)) : deployable;
  return {
    services: chosen,
    builds: wanted.flatMap(imageBuild),
    files: [
      relativeComposeFile,
      ...new Set(deployable.flatMap((component) => component.config.map((mount) => mount.source))),
    ],
  };
}

const relativeComposeFile = composePaths('').composeFile;

function imageBuild(component: Component): ImageBuild[] {
  const source = component.image;
  if (source.kind !== 'build') return [];
  return [
    {
      component: component.name,
      image: formatImageRef(source.image),
      context: source.context,
      dockerfile: source.dockerfile,
    },
  ];
}

/** The images to copy: those the host lacks, or has under another ID (a different build). */
export function imagesToShip(
  local: ReadonlyMap<string, string>,
  host: ReadonlyMap<string, string>,
): string[] {
  return [...local].filter(([image, id]) => host.get(image) !== id).map(([image]) => image);
}
