// YAML through cdk8s's own parser and printer (the yaml package it bundles), so manifests print
// exactly as cdk8s synth prints them. Edits of compose config files that must keep their comments
// (the collector's config, Grafana's datasources) use the yaml package's documents directly.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Yaml } from 'cdk8s';

/** Parses one YAML document. */
export function parse(text: string): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'charts-ts-'));
  try {
    const file = join(dir, 'doc.yaml');
    writeFileSync(file, text);
    const docs = Yaml.load(file);
    if (docs.length !== 1) throw new Error(`expected one YAML document, got ${docs.length}`);
    return docs[0] as unknown;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses every document of a YAML file. */
export function loadAll(file: string): unknown[] {
  return Yaml.load(file) as unknown[];
}

/** Serializes documents as a YAML stream. */
export function stringify(...docs: unknown[]): string {
  return Yaml.stringify(...docs);
}
