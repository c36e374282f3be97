import { readFileSync } from 'node:fs';
import { type ImageRef } from './component.types.js';
import { upstreamComponents, type UpstreamComponent } from './lab.components.js';

export type ImageVersions = Readonly<Record<UpstreamComponent, ImageRef>>;

/** Splits `repo[:tag]` and refuses a missing, `latest` or digest-less floating tag. */
export function parseImageRef(text: string, what: string): ImageRef {
  const match =
    /^([a-z0-9][a-z0-9._\-/]*(?::\d+\/[a-z0-9._\-/]+)?):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(
      text.trim(),
    );
  if (!match) {
    throw new Error(
      `${what}: "${text}" is not an image reference with a pinned tag (want repository:tag, e.g. grafana/grafana:12.4.5)`,
    );
  }
  const [, repository, tag] = match as unknown as [string, string, string];
  if (tag === 'latest') throw new Error(`${what}: "${text}" uses the floating tag latest; pin a release`);
  return { repository, tag };
}

export function formatImageRef(image: ImageRef): string {
  return `${image.repository}:${image.tag}`;
}

/**
 * Reads the pinned upstream images from versions.json (`{"grafana": "grafana/grafana:12.4.5", …}`).
 * Every upstream component must be listed; unknown keys are errors. (PostgreSQL's major version
 * decides its data layout: 18 keeps it under /var/lib/postgresql.)
 */
export function parseImageVersions(json: string, source = 'versions.json'): ImageVersions {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new Error(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`${source} must be an object of component name → "repository:tag"`);
  }
  const entries = data as Record<string, unknown>;
  const unknown = Object.keys(entries).filter(
    (key) => !(upstreamComponents as readonly string[]).includes(key),
  );
  if (unknown.length > 0) {
    throw new Error(
      `${source} names unknown components: ${unknown.join(', ')} (known: ${upstreamComponents.join(', ')})`,
    );
  }
  const result: Partial<Record<UpstreamComponent, ImageRef>> = {};
  const missing: string[] = [];
  for (const component of upstreamComponents) {
    const value = entries[component];
    if (value === undefined) {
      missing.push(component);
      continue;
    }
    if (typeof value !== 'string')
      throw new Error(`${source}: "${component}" must be a string "repository:tag"`);
    result[component] = parseImageRef(value, `${source}: ${component}`);
  }
  if (missing.length > 0) throw new Error(`${source} lacks an image for: ${missing.join(', ')}`);
  return result as ImageVersions;
}

export function loadImageVersions(file: string): ImageVersions {
  return parseImageVersions(readFileSync(file, 'utf8'), file);
}
