import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, redactUrl } from './app-config.js';

describe('loadConfig', () => {
  it('defaults to SQLite under ./data resolved to an absolute path, port 3000, info logs', () => {
    const config = loadConfig({}, '/srv/lab');
    assert.equal(config.port, 3000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.dataDir, '/srv/lab/data');
    assert.deepEqual(config.database, {
      kind: 'sqlite',
      file: '/srv/lab/data/tasks.db',
      synchronous: 'NORMAL',
    });
    assert.equal(config.logLevel, 'info');
    assert.equal(config.telemetry.serviceName, 'task-api');
  });

  it('switches to PostgreSQL when DATABASE_URL is a postgres URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://lab:secret@db:5432/tasks' });
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://lab:secret@db:5432/tasks' });
  });

  it('reads DATABASE_URL from the file DATABASE_URL_FILE names (a mounted Secret), trimmed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'obslab-config-'));
    try {
      writeFileSync(join(dir, 'url'), 'postgres://lab:s3cret@db:5432/tasks\n');
      const config = loadConfig({ DATABASE_URL_FILE: 'url' }, dir);
      assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://lab:s3cret@db:5432/tasks' });
      writeFileSync(join(dir, 'bad'), 'mysql://lab:s3cret@db/tasks');
      assert.throws(
        () => loadConfig({ DATABASE_URL_FILE: join(dir, 'bad') }),
        (error: ConfigError) =>
          /DATABASE_URL_FILE=.*postgres:\/\/ or postgresql:\/\/ URL/.test(error.message) &&
          !error.message.includes('s3cret'),
      );
      assert.throws(
        () => loadConfig({ DATABASE_URL_FILE: join(dir, 'missing') }),
        /cannot read .*missing \(ENOENT\)/,
      );
      assert.throws(
        () => loadConfig({ DATABASE_URL_FILE: 'url', DATABASE_URL: 'postgres://db/tasks' }, dir),
        /either DATABASE_URL or DATABASE_URL_FILE, not both/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports no signal when no OTLP endpoint is configured', () => {
    const { telemetry } = loadConfig({});
    assert.equal(telemetry.exportTraces, false);
    assert.equal(telemetry.exportLogs, false);
    assert.equal(telemetry.disabled, false);
  });

  it('exports traces and logs once an endpoint is set, unless an exporter says none', () => {
    assert.equal(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).telemetry.exportTraces,
      true,
    );
    const partial = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_LOGS_EXPORTER: 'none',
    }).telemetry;
    assert.equal(partial.exportTraces, true);
    assert.equal(partial.exportLogs, false);
    assert.equal(loadConfig({ OTEL_TRACES_EXPORTER: 'console' }).telemetry.exportTraces, true);
    assert.equal(loadConfig({ OTEL_SDK_DISABLED: 'true' }).telemetry.disabled, true);
  });

  it('names every bad variable at once', () => {
    const env = {
      PORT: '70000',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://db/tasks',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'udp',
      OTEL_TRACES_EXPORTER: 'jaeger',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_RESOURCE_ATTRIBUTES: 'no-equals-sign',
      OTEL_METRICS_EXPORTER: 'otlp',
    };
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const named = error.problems.map((problem) => problem.split('=')[0]).sort();
        assert.deepEqual(named, Object.keys(env).sort());
        assert.match(error.message, /PORT="70000"/);
        return true;
      },
    );
  });

  it('redacts the password of a database URL', () => {
    assert.equal(redactUrl('postgres://lab:secret@db:5432/tasks'), 'postgres://lab:***@db:5432/tasks');
  });
});
