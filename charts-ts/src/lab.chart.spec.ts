/* eslint-disable @typescript-eslint/no-unsafe-return -- manifests are untyped JSON */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, snapshot } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Testing } from 'cdk8s';
import { findWorkspaceRoot, workspaceStack } from '@obslab/stack';
import { TASK_API_PRE_STOP_SECONDS, TASK_API_SHUTDOWN_SECONDS } from './components/task-api.construct.js';
import { distVariants, labDistFiles } from './dist.js';
import { LabChart, synthLab } from './lab.chart.js';
import { find, podTemplates } from './testing/manifests.js';
import { configHashAnnotation } from './workload.js';

const root = findWorkspaceRoot();
const stack = workspaceStack(root);
// Snapshots live beside the sources (lib/ is not committed): src/__snapshots__/.
const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
snapshot.setResolveSnapshotPath(() => join(srcDir, '__snapshots__', 'lab.chart.spec.snapshot'));

for (const variant of distVariants) {
  describe(`LabChart (${variant.title})`, () => {
    const manifests = synthLab(variant.props);

    it('synthesizes what the snapshot recorded', (t) => {
      t.assert.snapshot(Testing.synth(new LabChart(Testing.app(), 'lab', variant.props)));
    });

    it('creates the namespace first, enforcing the restricted pod security level', () => {
      assert.equal(manifests[0]!.kind, 'Namespace');
      const labels = (manifests[0]!.metadata['labels'] ?? {}) as Record<string, string>;
      assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
    });

    it('runs every container non-root, without privilege escalation or capabilities, RuntimeDefault seccomp', () => {
      for (const { name, template } of podTemplates(manifests)) {
        assert.equal(template.spec.securityContext.runAsNonRoot, true, name);
        assert.equal(template.spec.securityContext.seccompProfile.type, 'RuntimeDefault', name);
        for (const container of template.spec.containers) {
          const sc = container.securityContext;
          assert.equal(sc.allowPrivilegeEscalation, false, name);
          assert.equal(sc.runAsNonRoot, true, name);
          assert.notEqual(sc.runAsUser, 0, name);
          assert.deepEqual(sc.capabilities, { drop: ['ALL'] }, name);
          assert.equal(sc.seccompProfile.type, 'RuntimeDefault', name);
          const component = stack.components.find((c) => c.name === name)!;
          assert.equal(sc.readOnlyRootFilesystem, component.security.readOnlyRootFilesystem, name);
        }
      }
    });

    it('gives every container requests and limits, startup, liveness and readiness probes, and a pinned image', () => {
      for (const { name, template } of podTemplates(manifests)) {
        for (const container of template.spec.containers) {
          for (const kind of ['requests', 'limits']) {
            assert.ok(container.resources[kind].cpu && container.resources[kind].memory, `${name} ${kind}`);
          }
          for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
            assert.ok(container[probe], `${name} ${probe}`);
          assert.match(container.image, /^[^:]+:[A-Za-z0-9_][A-Za-z0-9_.-]*$/, name);
          assert.doesNotMatch(container.image, /:latest$/, name);
        }
      }
    });

    it('labels every object and pod template, and hashes the config into the pod template', () => {
      for (const manifest of manifests) {
        const labels = (manifest.metadata['labels'] ?? {}) as Record<string, string>;
        assert.equal(
          labels['app.kubernetes.io/part-of'],
          'obslab',
          `${manifest.kind}/${manifest.metadata.name}`,
        );
      }
      for (const { name, template, spec } of podTemplates(manifests)) {
        assert.equal(template.metadata.labels['app.kubernetes.io/name'], name);
        assert.deepEqual(spec.selector.matchLabels, {
          'app.kubernetes.io/name': name,
          'app.kubernetes.io/part-of': 'obslab',
        });
        assert.match(
          template.metadata.annotations[configHashAnnotation] ?? '',
          /^([0-9a-f]{16}|none)$/,
          name,
        );
      }
    });

    it('holds no Secret and no secret value: Secrets are mounted as files, never in the environment', () => {
      assert.deepEqual(
        manifests.filter((m) => m.kind === 'Secret'),
        [],
      );
      const secretVariables = [
        'GF_SECURITY_ADMIN_PASSWORD',
        'GF_SECURITY_ADMIN_USER',
        'DATABASE_URL',
        'POSTGRES_PASSWORD',
      ];
      let files = 0;
      for (const { name, template } of podTemplates(manifests)) {
        const container = template.spec.containers[0];
        for (const env of template.spec.containers.flatMap((c: any) => c.env ?? [])) {
          assert.ok(!secretVariables.includes(env.name), `${name}: ${env.name} must come from a file`);
          assert.equal(env.valueFrom?.secretKeyRef, undefined, `${name} ${env.name}: no secretKeyRef`);
          const file = /^(.+?)_?_FILE$/.exec(env.name);
          if (!file) continue;
          assert.ok(secretVariables.includes(file[1] ?? ''), `${name} ${env.name}`);
          files += 1;
          // The path is inside a read-only mount of the Secret, readable by the pod's group only.
          const [, , , secret, key] = String(env.value).split('/');
          const mount = container.volumeMounts.find((m: any) => m.mountPath === `/run/secrets/${secret}`);
          assert.equal(mount?.readOnly, true, `${name}: ${env.value} mounted read-only`);
          const volume = template.spec.volumes.find((v: any) => v.name === mount.name);
          assert.deepEqual(volume.secret, { secretName: secret, defaultMode: 0o440 }, `${name} ${key}`);
        }
      }
      assert.ok(files >= 2, `secret files referenced: ${files}`);
    });

    it('adds a PodDisruptionBudget exactly for workloads with more than one replica', () => {
      const replicated = podTemplates(manifests)
        .filter((w) => w.spec.replicas > 1)
        .map((w) => w.name)
        .sort();
      const budgets = manifests
        .filter((m) => m.kind === 'PodDisruptionBudget')
        .map((m) => m.metadata.name)
        .sort();
      assert.deepEqual(budgets, replicated);
      assert.ok(budgets.includes('frontend'));
    });

    it('denies all traffic by default and serves both hosts over TLS through the nginx class', () => {
      const deny = find(manifests, 'NetworkPolicy', 'default-deny');
      assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const ingress = find(manifests, 'Ingress', 'obslab');
      assert.equal(ingress.spec.ingressClassName, 'nginx');
      assert.deepEqual(ingress.spec.tls, [
        { hosts: ['obslab.example.test', 'grafana.obslab.example.test'], secretName: 'obslab-tls' },
      ]);
    });
  });
}

describe('LabChart database modes', () => {
  it('keeps SQLite on a PVC with one task-api replica and the Recreate strategy', () => {
    const manifests = synthLab({ database: 'sqlite' });
    const taskApi = find(manifests, 'Deployment', 'task-api');
    assert.equal(taskApi.spec.replicas, 1);
    assert.deepEqual(taskApi.spec.strategy, { type: 'Recreate' });
    assert.ok(find(manifests, 'PersistentVolumeClaim', 'task-api-data'));
    assert.equal(
      manifests.some((m) => m.metadata.name === 'postgres'),
      false,
    );
  });

  for (const database of ['sqlite', 'postgres'] as const)
    it(`drains task-api pods on ${database}: a preStop sleep, then a grace period covering its shutdown timeout`, () => {
      const pod = find(synthLab({ database }), 'Deployment', 'task-api').spec.template.spec;
      assert.deepEqual(pod.containers[0].lifecycle, {
        preStop: { sleep: { seconds: TASK_API_PRE_STOP_SECONDS } },
      });
      assert.equal(
        pod.terminationGracePeriodSeconds,
        TASK_API_PRE_STOP_SECONDS + TASK_API_SHUTDOWN_SECONDS + 5,
      );
    });

  it('runs PostgreSQL as a StatefulSet with a volumeClaimTemplate and lets task-api scale', () => {
    const manifests = synthLab({ database: 'postgres', taskApiReplicas: 3 });
    const postgres = find(manifests, 'StatefulSet', 'postgres');
    assert.equal(postgres.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '5Gi');
    const taskApi = find(manifests, 'Deployment', 'task-api');
    assert.equal(taskApi.spec.replicas, 3);
    const env = taskApi.spec.template.spec.containers[0].env.find((e: any) => e.name === 'DATABASE_URL_FILE');
    assert.equal(env.value, '/run/secrets/obslab-postgres/database-url');
    const pg = postgres.spec.template.spec.containers[0].env.find(
      (e: any) => e.name === 'POSTGRES_PASSWORD_FILE',
    );
    assert.equal(pg.value, '/run/secrets/obslab-postgres/password');
    assert.ok(find(manifests, 'NetworkPolicy', 'allow-postgres'));
  });

  it('applies storage class, sizes, hosts, images and retention from the props', () => {
    const manifests = synthLab({
      namespace: 'lab2',
      storageClassName: 'fast',
      storageSizes: { loki: '3Gi' },
      hosts: { app: 'app.example.org', grafana: 'g.example.org' },
      images: { 'task-api': 'registry.example.org/obslab/task-api:1.2.3' },
      retention: { prometheus: '2d' },
    });
    const loki = find(manifests, 'PersistentVolumeClaim', 'loki-data');
    assert.equal(loki.metadata.namespace, 'lab2');
    assert.equal(loki.spec.storageClassName, 'fast');
    assert.equal(loki.spec.resources.requests.storage, '3Gi');
    const taskApi = find(manifests, 'Deployment', 'task-api');
    assert.equal(
      taskApi.spec.template.spec.containers[0].image,
      'registry.example.org/obslab/task-api:1.2.3',
    );
    assert.ok(
      find(manifests, 'Deployment', 'prometheus').spec.template.spec.containers[0].args.includes(
        '--storage.tsdb.retention.time=2d',
      ),
    );
    assert.equal(find(manifests, 'Ingress', 'obslab').spec.rules[1].host, 'g.example.org');
    const grafanaEnv = find(manifests, 'Deployment', 'grafana').spec.template.spec.containers[0].env;
    assert.equal(grafanaEnv.find((e: any) => e.name === 'GF_SERVER_ROOT_URL').value, 'https://g.example.org');
  });

  it('rolls only the pods whose config file changed (the config hash follows the file)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'charts-ts-workspace-'));
    try {
      writeFileSync(join(copy, 'nx.json'), '{}');
      cpSync(join(root, 'compose/config'), join(copy, 'compose/config'), { recursive: true });
      mkdirSync(join(copy, 'services/task-api'), { recursive: true });
      cpSync(join(root, 'services/task-api/package.json'), join(copy, 'services/task-api/package.json'));
      const hashes = (workspaceRoot: string) =>
        Object.fromEntries(
          podTemplates(synthLab({ workspaceRoot })).map((w) => [
            w.name,
            w.template.metadata.annotations[configHashAnnotation],
          ]),
        );
      const before = hashes(copy);
      const loki = join(copy, 'compose/config/loki/loki.yaml');
      writeFileSync(loki, readFileSync(loki, 'utf8') + '\n# changed\n');
      const after = hashes(copy);
      assert.notEqual(after['loki'], before['loki']);
      assert.deepEqual({ ...after, loki: before['loki'] }, before);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('charts-ts/dist', () => {
  it('is up to date with the chart (run `npm run synth` when this fails)', () => {
    const expected = labDistFiles(root);
    for (const file of expected) {
      assert.equal(
        readFileSync(join(root, 'charts-ts', file.path), 'utf8'),
        file.content,
        `charts-ts/${file.path} is stale: npm run synth`,
      );
    }
    for (const { dir } of distVariants) {
      const onDisk = readdirSync(join(root, 'charts-ts', dir))
        .filter((f) => f.endsWith('.k8s.yaml'))
        .map((f) => `${dir}/${f}`);
      const wanted = expected.map((f) => f.path).filter((p) => dirname(p) === dir);
      assert.deepEqual(onDisk.sort(), wanted.sort(), `stray files in charts-ts/${dir}: npm run synth`);
    }
  });
});
