import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findWorkspaceRoot } from '@obslab/stack';
import { operatorDistFiles } from '../manifests/operator.chart.js';
import { labCrd } from './lab.crd.js';
import { formatLabSpecProblem, labFields, LabSpecError } from '@obslab/charts-ts';
import { labSpecSchema, parseLabSpec, type LabSpec } from './lab.schema.js';

type Schema = { [key: string]: any };

const crd = labCrd() as Schema;
const version = crd['spec'].versions[0] as Schema;
const specSchema = version['schema'].openAPIV3Schema.properties.spec as Schema;

/** Every schema node of `node` (itself included), with its JSON path. */
function* schemaNodes(node: unknown, path = '$'): Generator<[string, Schema]> {
  if (Array.isArray(node)) {
    for (const [index, item] of node.entries()) yield* schemaNodes(item, `${path}[${index}]`);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  yield [path, node];
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === 'default' || key === 'x-kubernetes-validations' || key === 'enum') continue;
    yield* schemaNodes(value, `${path}.${key}`);
  }
}

/** The spec's top-level fields, listed by hand: a new field must also reach labChartProps (lab.desired.ts). */
const specFields = [
  'components',
  'database',
  'frontend',
  'grafana',
  'images',
  'ingress',
  'retainData',
  'retention',
  'size',
  'storage',
  'taskApi',
] as const;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// Fails to compile when LabSpec gains or loses a field without this list following.
const specFieldsMatchLabSpec: Equal<keyof LabSpec, (typeof specFields)[number]> = true;

describe('operator/dist', () => {
  it('is what `nx run operator:synth` writes', () => {
    const dist = join(findWorkspaceRoot(), 'operator', 'dist');
    const hint = 'operator/dist is stale: run `npx nx run operator:synth` and commit operator/dist/';
    const expected = operatorDistFiles();
    const onDisk = existsSync(dist) ? readdirSync(dist).filter((file) => file.endsWith('.k8s.yaml')) : [];
    assert.deepEqual(onDisk.sort(), Object.keys(expected).sort(), hint);
    for (const [file, content] of Object.entries(expected)) {
      assert.equal(readFileSync(join(dist, file), 'utf8'), content, `${file}: ${hint}`);
    }
  });
});

describe('the ObservabilityLab CRD', () => {
  it('defaults spec to exactly what parseLabSpec makes of an empty spec', () => {
    assert.deepEqual(specSchema['default'], parseLabSpec({}));
  });

  it('defaults each field of spec to what parseLabSpec makes of it when it is absent', () => {
    const parsed = parseLabSpec({}) as Record<string, unknown>;
    const properties = specSchema['properties'] as Record<string, Schema>;
    assert.deepEqual(Object.keys(properties).sort(), [...specFields]);
    for (const field of specFields) {
      assert.deepEqual(properties[field]!['default'], parsed[field], `spec.${field}`);
    }
  });

  it('gives every CEL rule a message', () => {
    const rules = [...schemaNodes(crd)].flatMap(([path, node]) =>
      ((node['x-kubernetes-validations'] ?? []) as Schema[]).map((rule) => ({ path, rule })),
    );
    assert.ok(rules.length >= 4, `expected the schema's 4 CEL rules, found ${rules.length}`);
    for (const { path, rule } of rules) {
      assert.equal(typeof rule['rule'], 'string', path);
      assert.ok(
        typeof rule['message'] === 'string' && rule['message'].length > 20,
        `${path}: ${rule['rule']}`,
      );
    }
  });

  it('carries the rule that taskApi.replicas above 1 needs postgres, reported on that field', () => {
    const rules = (specSchema['x-kubernetes-validations'] ?? []) as Schema[];
    const rule = rules.find((r) => String(r['rule']).includes('taskApi.replicas'));
    assert.ok(rule, 'no CEL rule on spec for taskApi.replicas');
    assert.equal(rule['fieldPath'], '.taskApi.replicas');
    assert.match(String(rule['message']), /postgres/);
  });

  it('never says additionalProperties: false (structural pruning drops unknown fields)', () => {
    const closed = [...schemaNodes(crd)]
      .filter(([, node]) => node['additionalProperties'] === false)
      .map(([path]) => path);
    assert.deepEqual(closed, []);
  });

  it('declares a type on every schema node (a structural schema)', () => {
    const openApi = version['schema'].openAPIV3Schema as Schema;
    const untyped = [...schemaNodes(openApi)]
      .filter(([path]) => !/\.(properties|x-kubernetes-list-map-keys|required)$/.test(path))
      .filter(([, node]) => node['type'] === undefined)
      .map(([path]) => path);
    assert.deepEqual(untyped, []);
  });

  it('shows Ready, Database and Age columns', () => {
    const columns = version['additionalPrinterColumns'] as Schema[];
    const byName = new Map(columns.map((c) => [c['name'] as string, c]));
    assert.equal(byName.get('Ready')?.['jsonPath'], '.status.conditions[?(@.type=="Ready")].status');
    assert.equal(byName.get('Database')?.['jsonPath'], '.spec.database.mode');
    assert.equal(byName.get('Age')?.['type'], 'date');
    assert.equal(byName.get('Age')?.['jsonPath'], '.metadata.creationTimestamp');
  });

  it('has the short name olab and a status subresource', () => {
    assert.deepEqual(crd['spec'].names.shortNames, ['olab']);
    assert.deepEqual(version['subresources'], { status: {} });
    assert.equal(crd['metadata'].name, 'observabilitylabs.lab.obslab.dev');
    assert.equal(crd['spec'].scope, 'Namespaced');
  });
});

describe('parseLabSpec', () => {
  const problemsOf = (spec: unknown): readonly string[] => {
    try {
      parseLabSpec(spec);
    } catch (error) {
      assert.ok(error instanceof LabSpecError, String(error));
      assert.equal(error.message, error.problems.map(formatLabSpecProblem).join('; '));
      return error.problems.map(formatLabSpecProblem);
    }
    assert.fail(`parseLabSpec accepted ${JSON.stringify(spec)}`);
  };

  it('makes a complete lab of an empty or missing spec', () => {
    const parsed = parseLabSpec(undefined);
    assert.deepEqual(parsed, parseLabSpec({}));
    assert.equal(parsed.database.mode, 'sqlite');
    assert.equal(parsed.taskApi.replicas, 1);
    assert.equal(parsed.frontend.replicas, 2);
    assert.equal(parsed.size, 'medium');
    assert.equal(parsed.retainData, true);
    assert.equal(parsed.components.grafana.enabled, true);
  });

  it('keeps the fields it was given and defaults the rest of the same object', () => {
    const parsed = parseLabSpec({
      database: { mode: 'postgres' },
      components: { grafana: { enabled: false } },
    });
    assert.deepEqual(parsed.database, { mode: 'postgres', secretName: 'obslab-postgres' });
    assert.equal(parsed.components.grafana.enabled, false);
    assert.equal(parsed.components.loki.enabled, true);
  });

  it('rejects an unknown top-level field', () => {
    const problems = problemsOf({ replicas: 3 });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^spec\.\(root\): .*"replicas"/);
  });

  it('rejects an unknown nested field, naming the object that holds it', () => {
    assert.match(problemsOf({ taskApi: { replica: 3 } })[0]!, /^spec\.taskApi: .*"replica"/);
    assert.match(
      problemsOf({ components: { jaeger: { enabled: true } } })[0]!,
      /^spec\.components: .*"jaeger"/,
    );
  });

  for (const [spec, field] of [
    [{ taskApi: { replicas: 0 } }, 'spec.taskApi.replicas'],
    [{ taskApi: { replicas: 1.5 } }, 'spec.taskApi.replicas'],
    [{ taskApi: { replicas: '2' } }, 'spec.taskApi.replicas'],
    [{ frontend: { replicas: 21 } }, 'spec.frontend.replicas'],
    [{ database: { mode: 'mysql' } }, 'spec.database.mode'],
    [{ database: { secretName: 'Not_A_Name' } }, 'spec.database.secretName'],
    [{ size: 'huge' }, 'spec.size'],
    [{ storage: { sizes: { tempo: '10GB' } } }, 'spec.storage.sizes.tempo'],
    [{ retention: { prometheus: '15 days' } }, 'spec.retention.prometheus'],
    [{ ingress: { appHost: 'Obslab.Example' } }, 'spec.ingress.appHost'],
    [{ components: { grafana: { enabled: 'no' } } }, 'spec.components.grafana.enabled'],
    [{ images: { 'task-api': 'Task API' } }, 'spec.images.task-api'],
    [{ retainData: 'yes' }, 'spec.retainData'],
  ] as const) {
    it(`rejects ${JSON.stringify(spec)}, naming ${field}`, () => {
      const problems = problemsOf(spec);
      assert.equal(problems.length, 1, problems.join('; '));
      assert.ok(problems[0]!.startsWith(`${field}: `), problems[0]);
    });
  }

  it('throws LabSpecError with the rule each field broke as data', () => {
    try {
      parseLabSpec({ storage: { sizes: { tempo: '10GB' } }, ingress: { controllerNamespace: 'a.b' } });
      assert.fail('parseLabSpec accepted a bad size');
    } catch (error) {
      assert.ok(error instanceof LabSpecError, String(error));
      assert.deepEqual(
        error.problems.map((p) => [p.field, p.rule]),
        [
          ['spec.storage.sizes.tempo', 'invalid_format:regex'],
          ['spec.ingress.controllerNamespace', 'invalid_format:regex'],
        ],
      );
    }
  });

  it('takes the storage sizes the chart takes: the same Kubernetes quantity rule in the CRD', () => {
    assert.equal(parseLabSpec({ storage: { sizes: { tempo: '1.5Ti' } } }).storage.sizes.tempo, '1.5Ti');
    const sizes = specSchema['properties'].storage.properties.sizes.properties as Record<string, Schema>;
    const pattern = new RegExp(sizes['tempo']!['pattern'] as string);
    for (const size of ['10Gi', '500Mi', '1.5Ti']) {
      assert.ok(pattern.test(size), size);
      assert.ok(labFields.storageSize().safeParse(size).success, size);
    }
    for (const size of ['10GB', '-1Gi', '10m', '1e3', '500M']) {
      assert.equal(pattern.test(size), false, size);
      assert.equal(labFields.storageSize().safeParse(size).success, false, size);
    }
  });

  it('lists every bad field at once', () => {
    const problems = problemsOf({ taskApi: { replicas: 0 }, size: 'huge' });
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      ['spec.taskApi.replicas', 'spec.size'],
    );
  });

  it('parses to exactly the fields listed by hand (so labChartProps is updated with the schema)', () => {
    assert.equal(specFieldsMatchLabSpec, true);
    assert.deepEqual(Object.keys(parseLabSpec({})).sort(), [...specFields]);
    assert.deepEqual(Object.keys(labSpecSchema.shape).sort(), [...specFields]);
  });
});
