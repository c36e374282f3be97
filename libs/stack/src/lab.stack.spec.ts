import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { componentNames, type Stack } from './component.types.js';
import { parseImageVersions } from './image-versions.js';
import { optionalComponents, statefulComponents, upstreamComponents } from './lab.components.js';
import { checkWiring, componentOf, labStack, memoryBudgetMiB, portOf } from './lab.stack.js';
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
      ...stack.connections.flatMap((c) => Object.entries(c.env ?? {})),
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
      kind: 'endpoint',
      to: 'otel-collector',
      port: 'otlp-http',
      scheme: 'http',
    });
  });

  it('declares every connection once, to a named port of an existing component, with a reason', () => {
    const seen = new Set<string>();
    for (const connection of stack.connections) {
      const key = `${connection.from} → ${connection.to}:${connection.port}`;
      assert.ok(!seen.has(key), `${key} twice`);
      seen.add(key);
      assert.ok(componentOf(stack, connection.from), key);
      assert.ok(portOf(componentOf(stack, connection.to), connection.port), key);
      assert.notEqual(connection.why, '', key);
    }
  });

  it('writes each port number once: every other place names the port', () => {
    const numbers = stack.components.flatMap((c) => c.ports.map((p) => `${c.name}:${p.containerPort}`));
    assert.equal(new Set(numbers).size, numbers.length);
    for (const component of stack.components) {
      for (const [variable, value] of Object.entries(component.env)) {
        if (value.kind === 'literal')
          assert.doesNotMatch(
            value.value,
            /:\d{2,5}\b/,
            `${component.name}.${variable} writes a port number`,
          );
      }
    }
  });

  it('refuses an endpoint variable that is not a connection of the stack, and a connection to an unknown port', () => {
    const frontend = componentOf(stack, 'frontend');
    const stray: Stack = {
      ...stack,
      components: stack.components.map((c) =>
        c === frontend
          ? { ...c, env: { ...c.env, LOKI_URL: { kind: 'endpoint', to: 'loki', port: 'http' } } }
          : c,
      ),
    };
    assert.throws(
      () => checkWiring(stray),
      /frontend: LOKI_URL reaches loki:http, which is not a connection/,
    );
    const unknownPort: Stack = {
      ...stack,
      connections: [...stack.connections, { from: 'frontend', to: 'loki', port: 'grpc', why: 'test' }],
    };
    assert.throws(() => checkWiring(unknownPort), /loki has no port named "grpc" \(has: http\)/);
  });

  it('derives the optional, stateful and upstream sets from facts of the components', () => {
    assert.deepEqual(optionalComponents, ['frontend', 'tempo', 'loki', 'prometheus', 'grafana']);
    assert.deepEqual(
      statefulComponents,
      stack.components.filter((c) => c.volumes.length > 0).map((c) => c.name),
    );
    assert.deepEqual(statefulComponents, ['task-api', 'tempo', 'loki', 'prometheus', 'grafana', 'postgres']);
    assert.deepEqual(upstreamComponents, [
      'otel-collector',
      'tempo',
      'loki',
      'prometheus',
      'grafana',
      'postgres',
    ]);
  });

  it('runs PostgreSQL only in the postgres database mode, task-api reaching it with DATABASE_URL', () => {
    assert.deepEqual(
      stack.components.filter((c) => c.database !== undefined).map((c) => [c.name, c.database]),
      [['postgres', 'postgres']],
    );
    const toPostgres = stack.connections.filter((c) => c.to === 'postgres');
    assert.deepEqual(
      toPostgres.map((c) => [c.from, c.port, Object.keys(c.env ?? {})]),
      [['task-api', 'postgres', ['DATABASE_URL']]],
    );
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
