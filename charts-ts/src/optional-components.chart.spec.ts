/* eslint-disable @typescript-eslint/no-unsafe-return -- manifests are untyped JSON */
// Optional components turned off: their objects, flows, Ingress hosts, collector exporters and
// Grafana datasources go; nothing else changes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Testing } from 'cdk8s';
import { findWorkspaceRoot } from '@obslab/stack';
import { LabChart, synthLab, type Manifest } from './lab.chart.js';
import { optionalComponents, type LabChartProps, type OptionalComponent } from './lab.props.js';
import { find, podTemplates } from './testing/manifests.js';
import { parse } from './yaml.js';

const root = findWorkspaceRoot();

describe('LabChart optional components', () => {
  const everyComponentOn = Object.fromEntries(optionalComponents.map((c) => [c, true])) as Record<
    OptionalComponent,
    boolean
  >;
  const off = (...components: OptionalComponent[]): LabChartProps => ({
    components: Object.fromEntries(components.map((c) => [c, false])),
  });
  const configMapFile = (manifests: Manifest[], name: string, key: string) =>
    find(manifests, 'ConfigMap', name).data[key] as string;
  /** Names of the pods every NetworkPolicy selects or allows. */
  const policyPods = (manifests: Manifest[]) =>
    new Set(
      Array.from(
        JSON.stringify(manifests.filter((m) => m.kind === 'NetworkPolicy')).matchAll(
          /"app\.kubernetes\.io\/name":"([a-z-]+)"/g,
        ),
        (match) => match[1]!,
      ),
    );

  it('synthesizes exactly the default lab when every component is on, explicitly or by default', () => {
    assert.deepEqual(synthLab({ components: everyComponentOn }), synthLab({}));
    assert.deepEqual(synthLab({ components: {} }), synthLab({}));
    assert.deepEqual(new LabChart(Testing.app(), 'lab').lab.enabled, everyComponentOn);
  });

  for (const component of optionalComponents) {
    it(`leaves out every object of ${component} when it is turned off, and every flow to or from it`, () => {
      const chart = new LabChart(Testing.app(), 'lab', off(component));
      assert.equal(chart.components.includes(component), false);
      const manifests = synthLab(off(component));
      const objects = manifests.filter(
        (m) =>
          m.metadata.name === component ||
          m.metadata.name.startsWith(`${component}-`) ||
          m.metadata.name === `allow-${component}` ||
          (m.metadata['labels'] as Record<string, string> | undefined)?.['app.kubernetes.io/name'] ===
            component,
      );
      assert.deepEqual(
        objects.map((m) => `${m.kind}/${m.metadata.name}`),
        [],
      );
      assert.equal(policyPods(manifests).has(component), false, 'a NetworkPolicy still names its pods');
    });
  }

  it('names only pods that exist in its NetworkPolicies, whatever is turned off', () => {
    for (const props of [off('tempo', 'loki'), off('prometheus', 'grafana'), off(...optionalComponents)]) {
      const manifests = synthLab(props);
      const workloads = new Set(podTemplates(manifests).map((w) => w.name));
      for (const pod of policyPods(manifests)) assert.ok(workloads.has(pod), `${pod} has no workload`);
    }
  });

  it('keeps the Ingress rule and TLS host of Grafana alone when the frontend is off', () => {
    const ingress = find(synthLab(off('frontend')), 'Ingress', 'obslab');
    assert.deepEqual(
      ingress.spec.rules.map((r: any) => [r.host, r.http.paths[0].backend.service.name]),
      [['grafana.obslab.example.test', 'grafana']],
    );
    assert.deepEqual(ingress.spec.tls[0].hosts, ['grafana.obslab.example.test']);
  });

  it('keeps the Ingress rule and TLS host of the app alone when Grafana is off', () => {
    const ingress = find(synthLab(off('grafana')), 'Ingress', 'obslab');
    assert.deepEqual(
      ingress.spec.rules.map((r: any) => [r.host, r.http.paths[0].backend.service.name]),
      [['obslab.example.test', 'frontend']],
    );
    assert.deepEqual(ingress.spec.tls[0].hosts, ['obslab.example.test']);
  });

  it('creates no Ingress, and lets no traffic in from the ingress controller, when the frontend and Grafana are off', () => {
    const manifests = synthLab(off('frontend', 'grafana'));
    assert.deepEqual(
      manifests.filter((m) => m.kind === 'Ingress'),
      [],
    );
    assert.doesNotMatch(JSON.stringify(manifests), /ingress-nginx/);
  });

  it('renders the collector config unchanged, comments and all, while Tempo and Loki run', () => {
    const source = readFileSync(join(root, 'compose/config/otel-collector/config.yaml'), 'utf8');
    for (const props of [{}, off('frontend', 'grafana', 'prometheus')])
      assert.equal(configMapFile(synthLab(props), 'otel-collector-config', 'config.yaml'), source);
  });

  it('exports traces to nop, and no longer to Tempo, when Tempo is off', () => {
    const text = configMapFile(synthLab(off('tempo')), 'otel-collector-config', 'config.yaml');
    const config = parse(text) as any;
    assert.deepEqual(config.exporters.nop, {});
    assert.deepEqual(
      Object.keys(config.exporters).filter((name) => name.includes('tempo')),
      [],
    );
    assert.deepEqual(config.service.pipelines.traces.exporters, ['nop']);
    assert.deepEqual(config.service.pipelines.logs.exporters, ['otlp_http/loki']);
    assert.deepEqual(config.service.pipelines.traces.receivers, ['otlp']);
    assert.match(text, /# Exporter names are the current ones/, 'the comments are kept');
  });

  it('exports both pipelines to nop when Tempo and Loki are off', () => {
    const config = parse(
      configMapFile(synthLab(off('tempo', 'loki')), 'otel-collector-config', 'config.yaml'),
    ) as any;
    assert.deepEqual(Object.keys(config.exporters), ['nop']);
    assert.deepEqual(config.service.pipelines.traces.exporters, ['nop']);
    assert.deepEqual(config.service.pipelines.logs.exporters, ['nop']);
  });

  it('provisions no Grafana datasource of, and no link to, a turned-off backend', () => {
    const datasources = (props: LabChartProps) =>
      (parse(configMapFile(synthLab(props), 'grafana-provisioning', 'datasources__datasources.yaml')) as any)
        .datasources as any[];
    const uids = (list: any[]) => list.map((d) => d.uid as string);
    assert.deepEqual(uids(datasources({})), ['prometheus', 'tempo', 'loki']);
    for (const backend of ['tempo', 'loki', 'prometheus'] as const) {
      const left = datasources(off(backend));
      assert.deepEqual(
        uids(left),
        ['prometheus', 'tempo', 'loki'].filter((uid) => uid !== backend),
      );
      assert.doesNotMatch(JSON.stringify(left), new RegExp(`"datasourceUid":"${backend}"`), backend);
    }
    const withoutTempo = datasources(off('tempo'));
    assert.equal(withoutTempo[0].jsonData.exemplarTraceIdDestinations, undefined);
    assert.equal(withoutTempo[1].jsonData.derivedFields, undefined);
    assert.equal(withoutTempo[1].jsonData.maxLines, 1000);
    assert.deepEqual(datasources(off('tempo', 'loki', 'prometheus')), []);
  });

  it('ignores the storage size of a turned-off component', () => {
    const manifests = synthLab({ ...off('loki'), storageSizes: { loki: '3Gi' } });
    assert.equal(
      manifests.some((m) => m.kind === 'PersistentVolumeClaim' && m.metadata.name === 'loki-data'),
      false,
    );
  });
});
