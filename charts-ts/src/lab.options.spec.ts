import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { synthLab } from './lab.chart.js';
import { LabSpecError } from './lab-spec.error.js';
import { labFields, labOptionsSchema } from './lab.options.js';
import { type LabChartProps } from './lab.props.js';

const problemsOf = (props: LabChartProps) => {
  try {
    synthLab(props);
  } catch (error) {
    assert.ok(error instanceof LabSpecError, String(error));
    return error.problems;
  }
  assert.fail(`synthLab accepted ${JSON.stringify(props)}`);
};

describe('LabChart rejects invalid props at synth time', () => {
  const rejects = (props: LabChartProps, message: RegExp) =>
    assert.throws(
      () => synthLab(props),
      (error) => error instanceof LabSpecError && message.test(error.message),
    );

  it('rejects several task-api replicas on SQLite', () =>
    rejects(
      { database: 'sqlite', taskApiReplicas: 2 },
      /taskApiReplicas: 2 replicas need database "postgres"/,
    ));
  it('rejects an image with the latest tag', () =>
    rejects(
      { images: { grafana: 'grafana/grafana:latest' } },
      /images\.grafana: "grafana\/grafana:latest" uses the floating tag latest/,
    ));
  it('rejects an image for an unknown component', () =>
    rejects({ images: { redis: 'redis:7' } as never }, /images: "redis" is an unknown component/));
  it('rejects an invalid namespace', () =>
    rejects({ namespace: 'Obs_Lab' }, /namespace: "Obs_Lab" is not a valid Kubernetes name/));
  it('rejects the same host for the app and Grafana', () =>
    rejects({ hosts: { app: 'a.example', grafana: 'a.example' } }, /hosts: app and grafana must differ/));
  it('rejects a storage size for a stateless component', () =>
    rejects({ storageSizes: { frontend: '1Gi' } as never }, /storageSizes: "frontend" keeps no state/));
  it('rejects a size that is not a quantity', () =>
    rejects(
      { storageSizes: { loki: 'ten gigs' } },
      /storageSizes\.loki: "ten gigs" is not a Kubernetes quantity/,
    ));
  it('rejects a setting the stack does not have', () =>
    rejects({ settings: { NOPE: 'x' } }, /settings\.NOPE: is not a setting of the stack/));
  it('rejects the PostgreSQL password as a setting', () =>
    rejects(
      { settings: { POSTGRES_PASSWORD: 'hunter2' } },
      /settings\.POSTGRES_PASSWORD: cannot be a setting: it comes from the Secret/,
    ));
  it('rejects a retention that is not a duration', () =>
    rejects({ retention: { prometheus: 'forever' } }, /retention\.prometheus: "forever" is not a duration/));
  it('rejects zero replicas', () =>
    rejects({ frontendReplicas: 0 }, /frontendReplicas: must be a whole number from 1 to 20; got 0/));
  it('rejects a DNS server that is not an IP address', () =>
    rejects(
      { dnsServiceIp: 'kube-dns.kube-system' },
      /dnsServiceIp: "kube-dns.kube-system" is not an IPv4 address/,
    ));
  it('rejects turning off an unknown component', () =>
    rejects({ components: { redis: false } as never }, /components: "redis" is not a component/));
  it('rejects turning off a component the lab cannot run without', () =>
    rejects({ components: { 'task-api': false } as never }, /components: "task-api" cannot be turned off/));
  it('rejects a component switch that is not a boolean', () =>
    rejects({ components: { tempo: 'no' } as never }, /components\.tempo: must be true or false; got "no"/));
  it('rejects components that are not an object', () =>
    rejects({ components: ['tempo'] as never }, /components: must be an object such as/));
});

describe('LabSpecError', () => {
  it('names the field and the rule of each problem as data', () => {
    assert.deepEqual(problemsOf({ taskApiReplicas: 3 }), [
      {
        field: 'taskApiReplicas',
        rule: 'sqlite-single-replica',
        message:
          '3 replicas need database "postgres": SQLite lives on a ReadWriteOnce volume that one pod can use; use database: "postgres" to scale task-api',
      },
    ]);
    assert.deepEqual(
      problemsOf({ images: { grafana: 'grafana/grafana:latest' } }).map((p) => [p.field, p.rule]),
      [['images.grafana', 'pinned-image']],
    );
    assert.deepEqual(
      problemsOf({ storageSizes: { loki: '10GB' } }).map((p) => [p.field, p.rule]),
      [['storageSizes.loki', 'invalid_format:regex']],
    );
  });

  it('lists every bad field at once', () => {
    assert.deepEqual(
      problemsOf({ namespace: 'Obs_Lab', frontendReplicas: 0, retention: { prometheus: 'forever' } }).map(
        (p) => p.field,
      ),
      ['namespace', 'frontendReplicas', 'retention.prometheus'],
    );
  });

  it('is not thrown for a valid lab', () => {
    assert.ok(synthLab({ database: 'postgres', taskApiReplicas: 3 }).length > 0);
  });
});

describe('labFields', () => {
  it('takes storage sizes in Kubernetes quantity syntax with a binary suffix or none', () => {
    for (const size of ['10Gi', '500Mi', '1.5Ti', '1024', '1Ei'])
      assert.ok(labFields.storageSize().safeParse(size).success, size);
  });

  it('refuses sizes that are no quantity, or not the strict kind: units, signs, exponents, decimal suffixes', () => {
    for (const size of ['10GB', '10gi', '-1Gi', '+1Gi', '1e3', '10m', '500M', '2k', '.5Gi', 'ten gigs', ''])
      assert.equal(labFields.storageSize().safeParse(size).success, false, size);
  });

  it('takes a pinned image and refuses one without a tag, with latest, or with upper case', () => {
    assert.ok(labFields.image().safeParse('localhost:5000/obslab/task-api:1.2.3').success);
    for (const image of ['grafana/grafana', 'grafana/grafana:latest', 'Grafana/grafana:1'])
      assert.equal(labFields.image().safeParse(image).success, false, image);
  });

  it('applies every default to empty options', () => {
    const parsed = labOptionsSchema.parse({});
    assert.equal(parsed.namespace, 'obslab');
    assert.deepEqual(parsed.hosts, { app: 'obslab.example.test', grafana: 'grafana.obslab.example.test' });
    assert.equal(parsed.database, 'sqlite');
    assert.equal(parsed.taskApiReplicas, 1);
    assert.equal(parsed.frontendReplicas, 2);
    assert.equal(parsed.retention.prometheus, '15d');
    assert.deepEqual(parsed.apiServerEgress, { cidrs: ['0.0.0.0/0'], ports: [443, 6443] });
  });
});
