// These specs walk untyped documents (parsed YAML, built dashboard JSON): `any` is the honest type here.
/* eslint-disable @typescript-eslint/no-unsafe-return */
import assert from 'node:assert/strict';
import { access, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import YAML from 'yaml';
import { DATASOURCES } from '../datasources.js';
import { REPO_ROOT } from '../repo-root.js';
import { missingProgram, runProgram } from '../testing.helpers.js';

const configDir = join(REPO_ROOT, 'compose/config');
const readText = (path: string) => readFile(join(configDir, path), 'utf8');
const readYaml = async (path: string): Promise<any> => YAML.parse(await readText(path));

const yamlFiles = [
  'otel-collector/config.yaml',
  'tempo/tempo.yaml',
  'loki/loki.yaml',
  'prometheus/prometheus.yml',
  'prometheus/rules/slo.rules.yml',
  'prometheus/tests/slo.test.yml',
  'grafana/provisioning/datasources/datasources.yaml',
  'grafana/provisioning/dashboards/dashboards.yaml',
];

describe('compose/config', () => {
  it('every configuration file is YAML with a mapping at the top', async () => {
    for (const file of yamlFiles) {
      const doc = await readYaml(file);
      assert.equal(typeof doc, 'object', `${file} is not a mapping`);
      assert.ok(doc !== null && !Array.isArray(doc), `${file} is not a mapping`);
    }
  });

  it('the collector takes OTLP on 4317/4318 without CORS and exports traces to Tempo, logs to Loki', async () => {
    const c = await readYaml('otel-collector/config.yaml');
    assert.equal(c.receivers.otlp.protocols.grpc.endpoint, '0.0.0.0:4317');
    assert.equal(c.receivers.otlp.protocols.http.endpoint, '0.0.0.0:4318');
    assert.equal(c.receivers.otlp.protocols.http.cors, undefined);
    assert.equal(c.extensions.health_check.endpoint, '0.0.0.0:13133');
    for (const [name, pipeline] of Object.entries<any>(c.service.pipelines)) {
      assert.equal(pipeline.processors[0], 'memory_limiter', `${name}: memory_limiter must come first`);
      assert.deepEqual(pipeline.processors, ['memory_limiter', 'resource', 'batch']);
    }
    assert.deepEqual(Object.keys(c.service.pipelines).sort(), ['logs', 'traces']);
    assert.match(c.exporters[c.service.pipelines.traces.exporters[0]].endpoint, /tempo:4317/);
    assert.match(c.exporters[c.service.pipelines.logs.exporters[0]].endpoint, /http:\/\/loki:3100\/otlp/);
    const reader = c.service.telemetry.metrics.readers[0].pull.exporter.prometheus;
    assert.deepEqual({ host: reader.host, port: reader.port }, { host: '0.0.0.0', port: 8888 });
  });

  it('Tempo stores locally under /var/tempo and remote-writes generator metrics with exemplars', async () => {
    const t = await readYaml('tempo/tempo.yaml');
    assert.equal(t.server.http_listen_port, 3200);
    assert.equal(t.distributor.receivers.otlp.protocols.grpc.endpoint, '0.0.0.0:4317');
    assert.equal(t.storage.trace.backend, 'local');
    assert.match(t.storage.trace.local.path, /^\/var\/tempo\//);
    const write = t.metrics_generator.storage.remote_write[0];
    assert.match(write.url, /http:\/\/prometheus:9090\/api\/v1\/write/);
    assert.equal(write.send_exemplars, true);
    assert.deepEqual(t.overrides.defaults.metrics_generator.processors, ['service-graphs', 'span-metrics']);
  });

  it('Loki is single-tenant on the filesystem with TSDB v13 and indexes service.name from OTLP', async () => {
    const l = await readYaml('loki/loki.yaml');
    assert.equal(l.auth_enabled, false);
    assert.equal(l.common.path_prefix, '/loki');
    assert.deepEqual(
      l.schema_config.configs.map((s: any) => [s.store, s.schema, s.object_store]),
      [['tsdb', 'v13', 'filesystem']],
    );
    assert.match(l.limits_config.retention_period, /^\$\{LOKI_RETENTION:-\w+\}$/);
    const indexed = l.limits_config.otlp_config.resource_attributes.attributes_config
      .filter((a: any) => a.action === 'index_label')
      .flatMap((a: any) => a.attributes);
    assert.ok(indexed.includes('service.name'));
  });

  it('Prometheus scrapes the service and the whole stack and loads the rules in rules/', async () => {
    const p = await readYaml('prometheus/prometheus.yml');
    const targets = p.scrape_configs.flatMap((s: any) => s.static_configs.flatMap((c: any) => c.targets));
    assert.deepEqual(targets.sort(), [
      'grafana:3000',
      'localhost:9090',
      'loki:3100',
      'otel-collector:8888',
      'task-api:3000',
      'tempo:3200',
    ]);
    assert.deepEqual(p.rule_files, ['rules/*.yml']);
    const flags = (await readText('prometheus/flags.txt')).trim().split('\n');
    for (const flag of ['--enable-feature=exemplar-storage', '--web.enable-remote-write-receiver'])
      assert.ok(flags.includes(flag), `flags.txt lacks ${flag}`);
    assert.ok(flags.some((f) => f.startsWith('--storage.tsdb.retention.time=${PROMETHEUS_RETENTION')));
    const comment = await readText('prometheus/prometheus.yml');
    for (const flag of flags) assert.ok(comment.includes(flag), `prometheus.yml's comment lacks ${flag}`);
  });

  it('Grafana datasources have the fixed uids and link metrics, traces and logs both ways', async () => {
    const { datasources } = await readYaml('grafana/provisioning/datasources/datasources.yaml');
    const byUid = Object.fromEntries(datasources.map((d: any) => [d.uid, d]));
    for (const ds of Object.values(DATASOURCES))
      assert.equal(byUid[ds.uid]?.type, ds.type, `no ${ds.uid} datasource`);
    assert.deepEqual(
      byUid.prometheus.jsonData.exemplarTraceIdDestinations.map((e: any) => [e.name, e.datasourceUid]),
      [['trace_id', 'tempo']],
    );
    const tempo = byUid.tempo.jsonData;
    assert.equal(tempo.tracesToLogsV2.datasourceUid, 'loki');
    assert.equal(tempo.tracesToLogsV2.filterByTraceID, true);
    assert.deepEqual(tempo.tracesToLogsV2.tags, [{ key: 'service.name', value: 'service_name' }]);
    assert.equal(tempo.tracesToMetrics.datasourceUid, 'prometheus');
    assert.equal(tempo.serviceMap.datasourceUid, 'prometheus');
    assert.equal(tempo.nodeGraph.enabled, true);
    assert.equal(tempo.lokiSearch.datasourceUid, 'loki');
    const derived = byUid.loki.jsonData.derivedFields;
    assert.ok(derived.length > 0);
    for (const field of derived) assert.equal(field.datasourceUid, 'tempo');
    assert.ok(derived.some((f: any) => f.matcherType === 'label' && f.matcherRegex === 'trace_id'));
    assert.ok(
      derived.some(
        (f: any) => new RegExp(f.matcherRegex).exec('{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}')?.[1],
      ),
    );
  });

  it('Grafana loads the generated dashboards from /var/lib/grafana/dashboards into the folder obslab', async () => {
    const { providers } = await readYaml('grafana/provisioning/dashboards/dashboards.yaml');
    assert.equal(providers[0].folder, 'obslab');
    assert.equal(providers[0].options.path, '/var/lib/grafana/dashboards');
    const files = (await readdir(join(configDir, 'grafana/dashboards'))).sort();
    assert.deepEqual(files, ['slo.json', 'tracing.json']);
  });
});

describe('promtool of the pinned Prometheus 3 (scripts/ensure-prometheus.sh)', () => {
  let promtool: string | undefined;
  before(async () => {
    const script = join(REPO_ROOT, 'scripts/ensure-prometheus.sh');
    const { code, output } = await runProgram('bash', [script, '--path'], REPO_ROOT);
    assert.equal(code, 0, `ensure-prometheus.sh --path failed:\n${output}`);
    const pinned = join(output.trim().split('\n').at(-1)!, 'promtool');
    promtool = (await access(pinned).then(
      () => true,
      () => false,
    ))
      ? pinned
      : undefined;
  });
  const prometheusDir = join(configDir, 'prometheus');

  const check = async (t: { skip: (reason: string) => void }, args: string[]) => {
    if (!promtool) {
      t.skip(
        missingProgram('promtool', 'build it once with scripts/ensure-prometheus.sh (needs Go)') as string,
      );
      return;
    }
    const { code, output } = await runProgram(promtool, args, prometheusDir);
    assert.equal(code, 0, `promtool ${args.join(' ')} failed:\n${output}`);
    return output;
  };

  it('accepts prometheus.yml and finds the rule files from it', async (t) => {
    const output = await check(t, ['check', 'config', 'prometheus.yml']);
    if (output !== undefined) assert.match(output, /SUCCESS: 1 rule files found/);
  });

  it('accepts the SLO rule file', async (t) => {
    await check(t, ['check', 'rules', 'rules/slo.rules.yml']);
  });

  it('passes the rule unit tests: an error burst pages then resolves, health fires nothing, slowness burns latency', async (t) => {
    const output = await check(t, ['test', 'rules', 'tests/slo.test.yml']);
    if (output !== undefined) assert.match(output, /SUCCESS/);
  });
});
