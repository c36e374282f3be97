import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { componentNames } from './component.types.js';
import { parseImageVersions } from './image-versions.js';
import { componentOf, labStack, memoryBudgetMiB } from './lab.stack.js';
import { findWorkspaceRoot } from './workspace.js';

const versions = parseImageVersions(
  JSON.stringify({
    'otel-collector': 'otel/opentelemetry-collector-contrib:0.165.0',
    tempo: 'grafana/tempo:2.10.5',
    loki: 'grafana/loki:3.7.8',
    prometheus: 'prom/prometheus:v3.16.0',
    grafana: 'grafana/grafana:12.4.5',
    postgres: 'postgres:18.1-bookworm',
  }),
);
const stack = labStack({ versions });

describe('the lab stack definition', () => {
  it('defines every component once', () => {
    assert.deepEqual(stack.components.map((c) => c.name).sort(), [...componentNames].sort());
  });

  it('gives every component a health endpoint, a memory limit and a CPU limit', () => {
    for (const component of stack.components) {
      assert.ok(component.health, component.name);
      assert.ok(component.resources.memoryMiB > 0, component.name);
      assert.ok(component.resources.cpus > 0, component.name);
    }
  });

  it(`keeps the memory limits of all components together within ${memoryBudgetMiB} MiB`, () => {
    const total = stack.components.reduce((sum, c) => sum + c.resources.memoryMiB, 0);
    assert.ok(total <= memoryBudgetMiB, `total ${total} MiB`);
  });

  it('runs nothing as root', () => {
    for (const component of stack.components) {
      const [uid] = component.security.user.split(':');
      assert.match(component.security.user, /^\d+:\d+$/, component.name);
      assert.notEqual(uid, '0', component.name);
    }
  });

  it('pins every image to a tag other than latest', () => {
    for (const component of stack.components) {
      assert.ok(component.image.image.tag !== '' && component.image.image.tag !== 'latest', component.name);
    }
  });

  it('marks only the frontend and Grafana ports as user-facing', () => {
    const userFacing = stack.components.flatMap((c) =>
      c.ports.filter((p) => p.userFacing).map((p) => `${c.name}:${p.containerPort}`),
    );
    assert.deepEqual(userFacing.sort(), ['frontend:8080', 'grafana:3000']);
  });

  it('holds no secret values: secrets are variables the operator supplies', () => {
    const env = [
      ...stack.components.flatMap((c) => Object.entries(c.env)),
      ...Object.entries(stack.postgresWiring.taskApiEnv),
    ];
    for (const [name, value] of env) {
      if (/PASSWORD|SECRET|TOKEN|DATABASE_URL/.test(name)) {
        assert.notEqual(value.kind, 'literal', `${name} is a literal`);
        if (value.kind === 'setting') assert.equal(value.default, '', `${name} has a default value`);
      }
    }
  });

  it('runs every component with a read-only root filesystem, Grafana included (writable paths as volumes)', () => {
    for (const component of stack.components)
      assert.equal(component.security.readOnlyRootFilesystem, true, `${component.name} runs read-only`);
    const grafana = componentOf(stack, 'grafana');
    assert.deepEqual(grafana.scratch, ['/tmp', '/var/log/grafana']);
    assert.deepEqual(grafana.volumes, [{ name: 'grafana-data', target: '/var/lib/grafana' }]);
  });

  it('never enables anonymous access to Grafana and requires an admin password', () => {
    const grafana = componentOf(stack, 'grafana');
    assert.deepEqual(grafana.env.GF_AUTH_ANONYMOUS_ENABLED, { kind: 'literal', value: 'false' });
    assert.equal(grafana.env.GF_SECURITY_ADMIN_PASSWORD?.kind, 'secret');
  });

  it('keeps task-api data at an absolute path on a named volume and exports OTLP to the collector', () => {
    const api = componentOf(stack, 'task-api');
    assert.deepEqual(api.env.DATA_DIR, { kind: 'literal', value: '/data' });
    assert.deepEqual(api.volumes, [{ name: 'task-api-data', target: '/data' }]);
    assert.deepEqual(api.env.OTEL_EXPORTER_OTLP_ENDPOINT, {
      kind: 'literal',
      value: 'http://otel-collector:4318',
    });
  });

  it('names only existing components as dependencies and has no cycles', () => {
    const names = new Set(stack.components.map((c) => c.name));
    const visit = (name: string, path: string[]): void => {
      assert.ok(!path.includes(name), `cycle: ${[...path, name].join(' → ')}`);
      for (const dependency of componentOf(stack, name as never).dependsOn) {
        assert.ok(names.has(dependency.component));
        visit(dependency.component, [...path, name]);
      }
    };
    for (const name of names) visit(name, []);
  });

  it('mounts configuration only from compose/config, read at absolute container paths', () => {
    for (const component of stack.components) {
      for (const mount of component.config) {
        assert.match(mount.source, /^compose\/config\//, component.name);
        assert.match(mount.target, /^\//, component.name);
      }
    }
  });

  it('mounts the dashboards where the provisioned Grafana dashboard provider reads them', () => {
    const provider = readFileSync(
      join(findWorkspaceRoot(), 'compose/config/grafana/provisioning/dashboards/dashboards.yaml'),
      'utf8',
    );
    const path = /^\s*path:\s*(\S+)\s*$/m.exec(provider)?.[1];
    const mount = componentOf(stack, 'grafana').config.find(
      (m) => m.source === 'compose/config/grafana/dashboards',
    );
    assert.equal(mount?.target, path);
  });

  it('refuses Prometheus flags that do not read the mounted config', () => {
    assert.throws(
      () => labStack({ versions, prometheusFlags: ['--storage.tsdb.path=/prometheus'] }),
      /lack --config.file=\/etc\/prometheus\/prometheus.yml/,
    );
  });
});

describe('parseImageVersions', () => {
  it('refuses latest and untagged images, and names the component', () => {
    assert.throws(
      () => parseImageVersions(JSON.stringify({ tempo: 'grafana/tempo:latest' })),
      /tempo: .*floating tag latest/,
    );
    assert.throws(
      () => parseImageVersions(JSON.stringify({ tempo: 'grafana/tempo' })),
      /tempo: .*pinned tag/,
    );
  });

  it('names unknown and missing components', () => {
    assert.throws(
      () => parseImageVersions(JSON.stringify({ jaeger: 'jaegertracing/all-in-one:1.0.0' })),
      /unknown components: jaeger/,
    );
    assert.throws(
      () => parseImageVersions(JSON.stringify({ tempo: 'grafana/tempo:2.10.5' })),
      /lacks an image for: otel-collector, loki, prometheus, grafana/,
    );
  });
});
