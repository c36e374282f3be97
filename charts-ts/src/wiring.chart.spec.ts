/* eslint-disable @typescript-eslint/no-unsafe-return -- manifests are untyped JSON */
// The chart's wiring is the stack's: NetworkPolicies open exactly its connections, endpoints name
// Services, Ingress backends are its user-facing ports. Nothing is typed twice.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  componentOf,
  connectionsAmong,
  findWorkspaceRoot,
  portOf,
  workspaceStack,
  type Component,
  type ComponentName,
  type Stack,
} from '@obslab/stack';
import { synthLab, type Manifest } from './lab.chart.js';
import { type LabChartProps } from './lab.props.js';
import { runningComponents } from './running-components.js';
import { LabChart } from './lab.chart.js';
import { Testing } from 'cdk8s';
import { find } from './testing/manifests.js';

const stack = workspaceStack(findWorkspaceRoot());

/** `from → to:port` of every pod-to-pod rule of the lab's NetworkPolicies, from both ends. */
function policyFlows(manifests: Manifest[]) {
  const ingress = new Set<string>();
  const egress = new Set<string>();
  for (const policy of manifests.filter((m) => m.kind === 'NetworkPolicy')) {
    const spec = policy['spec'] as any;
    const self = spec.podSelector.matchLabels?.['app.kubernetes.io/name'] as string | undefined;
    if (!self) continue;
    for (const rule of spec.ingress ?? []) {
      const from = rule.from[0].podSelector?.matchLabels['app.kubernetes.io/name'];
      if (from) ingress.add(`${from} → ${self}:${rule.ports[0].port}`);
    }
    for (const rule of spec.egress ?? []) {
      const to = rule.to[0].podSelector?.matchLabels['app.kubernetes.io/name'];
      if (to) egress.add(`${self} → ${to}:${rule.ports[0].port}`);
    }
  }
  return { ingress: [...ingress].sort(), egress: [...egress].sort() };
}

describe('LabChart wiring', () => {
  const labs: [string, LabChartProps][] = [
    ['SQLite, every component', {}],
    ['PostgreSQL', { database: 'postgres', taskApiReplicas: 2 }],
    ['tempo and grafana off', { components: { tempo: false, grafana: false } }],
  ];
  for (const [title, props] of labs) {
    it(`opens exactly the stack's connections between running components, from both ends (${title})`, () => {
      const running = new LabChart(Testing.app(), 'lab', props).components;
      const expected = connectionsAmong(stack, running)
        .map((c) => `${c.from} → ${c.to}:${portOf(componentOf(stack, c.to), c.port).containerPort}`)
        .sort();
      const flows = policyFlows(synthLab(props));
      assert.deepEqual(flows.ingress, expected);
      assert.deepEqual(flows.egress, expected);
    });
  }

  it('runs PostgreSQL and gives task-api its connection variable only in the postgres database mode', () => {
    const chart = (props: LabChartProps) => new LabChart(Testing.app(), 'lab', props);
    assert.equal(chart({}).components.includes('postgres'), false);
    assert.equal(runningComponents(chart({ database: 'postgres' }).lab).includes('postgres'), true);
    const env = (props: LabChartProps) =>
      (find(synthLab(props), 'Deployment', 'task-api').spec.template.spec.containers[0].env as any[]).map(
        (e) => e.name as string,
      );
    assert.equal(env({}).includes('DATABASE_URL_FILE'), false);
    assert.equal(env({ database: 'postgres' }).includes('DATABASE_URL_FILE'), true);
  });

  it('writes endpoints as Service names: short for task-api, fully qualified for nginx, which resolves names itself', () => {
    const props = { namespace: 'lab-a', clusterDomain: 'example.internal', dnsServiceIp: '10.0.0.10' };
    const manifests = synthLab(props);
    const env = (name: string) =>
      Object.fromEntries(
        (find(manifests, 'Deployment', name).spec.template.spec.containers[0].env as any[]).map((e) => [
          e.name,
          e.value,
        ]),
      );
    const collectorPort = portOf(componentOf(stack, 'otel-collector'), 'otlp-http').containerPort;
    assert.equal(env('task-api').OTEL_EXPORTER_OTLP_ENDPOINT, `http://otel-collector:${collectorPort}`);
    assert.equal(
      env('frontend').OTEL_COLLECTOR_URL,
      `http://otel-collector.lab-a.svc.example.internal:${collectorPort}`,
    );
    assert.equal(env('frontend').NGINX_RESOLVER, '10.0.0.10');
    assert.equal(
      env('frontend').NGINX_PORT,
      String(portOf(componentOf(stack, 'frontend'), 'http').containerPort),
    );
  });

  it('routes each Ingress host to the user-facing port of its component', () => {
    const ingress = find(synthLab({}), 'Ingress', 'obslab');
    const backends = ingress.spec.rules.map((r: any) => {
      const { name, port } = r.http.paths[0].backend.service;
      return `${name}:${port.number}`;
    });
    const userFacing = stack.components.flatMap((c) =>
      c.ports.filter((p) => p.userFacing).map((p) => `${c.name}:${p.containerPort}`),
    );
    assert.deepEqual(backends, userFacing);
  });

  it('renders a component the stack adds, with its connection, without a construct of its own', () => {
    const madeUp = 'made-up' as ComponentName;
    const component: Component = {
      ...componentOf(stack, 'loki'),
      name: madeUp,
      ports: [{ name: 'http', containerPort: 5678, userFacing: false }],
      env: { LOKI_URL: { kind: 'endpoint', to: 'loki', port: 'http', scheme: 'http' } },
      config: [],
      volumes: [],
      health: { kind: 'http', port: 'http', path: '/' },
    };
    const withMadeUp: Stack = {
      ...stack,
      components: [...stack.components, component],
      connections: [...stack.connections, { from: madeUp, to: 'loki', port: 'http', why: 'test' }],
    };
    const manifests = synthLab({ stack: withMadeUp });
    const container = find(manifests, 'Deployment', 'made-up').spec.template.spec.containers[0];
    assert.deepEqual(container.env, [{ name: 'LOKI_URL', value: 'http://loki:3100' }]);
    assert.equal(container.readinessProbe.httpGet.port, 5678);
    assert.equal(find(manifests, 'Service', 'made-up').spec.ports[0].port, 5678);
    const flows = policyFlows(manifests);
    assert.ok(flows.egress.includes('made-up → loki:3100'), flows.egress.join(', '));
    assert.ok(flows.ingress.includes('made-up → loki:3100'), flows.ingress.join(', '));
  });
});
