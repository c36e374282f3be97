// YAML as cdk8s reads and prints it: cdk8s's own printer, and its parser's settings (the yaml
// package, which cdk8s bundles at the same version, with the YAML 1.1 schema, empty documents
// dropped). Parsing happens in memory: cdk8s's Yaml.load reads only files or URLs, through a child
// node process, and a text would first have to be written to a temp file, which fails on the
// operator's read-only root filesystem. Edits of compose config files that must keep their comments
// (the collector's config, Grafana's datasources) use the yaml package's documents directly.
import { readFileSync } from 'node:fs';
import { Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';

/** cdk8s's Yaml.load drops these documents. */
function isEmpty(doc: unknown): boolean {
  if (doc === undefined || doc === null) return true;
  if (Array.isArray(doc)) return doc.length === 0;
  return typeof doc === 'object' && Object.keys(doc).length === 0;
}

/** The non-empty documents of a YAML stream; `source` names it in errors. */
function documents(text: string, source: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((doc) => {
      const [error] = doc.errors;
      if (error) throw new Error(`${source}: invalid YAML: ${error.message}`);
      return doc.toJSON() as unknown;
    })
    .filter((doc) => !isEmpty(doc));
}

/** Parses one YAML document. */
export function parse(text: string): unknown {
  const docs = documents(text, 'YAML text');
  if (docs.length !== 1) throw new Error(`expected one YAML document, got ${docs.length}`);
  return docs[0];
}

/** Parses every document of a YAML file. */
export function loadAll(file: string): unknown[] {
  return documents(readFileSync(file, 'utf8'), file);
}

/** Serializes documents as a YAML stream. */
export function stringify(...docs: unknown[]): string {
  return Yaml.stringify(...docs);
}
