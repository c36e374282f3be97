// The operator's lifecycle on a real control plane (etcd, kube-apiserver, kube-controller-manager
// with the garbage collector, kube-scheduler, kwok fake nodes): the CRD and RBAC from
// operator/dist/, and the real `lab operator run` process authenticated as the operator's own
// ServiceAccount, so every call it makes is checked against its least-privilege ClusterRole.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type ControlPlane,
  defaultControllers,
  skipUnlessKubeBinaries,
  startControlPlane,
} from '@obslab/control-plane';
import { desiredState, installOperatorDist, type ObservabilityLab } from '@obslab/operator';
import { type CommandError, eventually, run } from '@obslab/process';
import { findWorkspaceRoot } from '@obslab/stack';
import { startOperatorProcess, type OperatorProcess } from './operator/operator.process.js';

const skip = skipUnlessKubeBinaries(['kubeScheduler', 'kwok']);
const root = findWorkspaceRoot();

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    generation?: number;
    resourceVersion: string;
    labels?: Record<string, string>;
    ownerReferences?: { uid: string; controller?: boolean; blockOwnerDeletion?: boolean; kind: string }[];
    deletionTimestamp?: string;
    finalizers?: string[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}

type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration: number;
};

describe('the ObservabilityLab operator on a real control plane', { skip, timeout: 900_000 }, () => {
  let controlPlane: ControlPlane | undefined;
  let workDir: string;
  let operatorKubeconfig: string;
  const operators: OperatorProcess[] = [];
  let kubectlBin: string;

  const kubectl = async (...args: string[]) =>
    (await run(kubectlBin, ['--kubeconfig', controlPlane!.kubeconfigPath, ...args], { timeoutMs: 60_000 }))
      .stdout;
  const getJson = async <T = Obj>(...args: string[]) =>
    JSON.parse(await kubectl('get', '-o', 'json', ...args)) as T;
  const exists = async (...args: string[]) => {
    const out = await kubectl('get', '--ignore-not-found', '-o', 'name', ...args);
    return out.trim() !== '';
  };
  const lab = (ns: string, name = 'demo') => getJson<ObservabilityLab & Obj>('-n', ns, 'olab', name);
  const condition = (l: { status?: unknown }, type: string) =>
    ((l.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
  const applyLab = async (ns: string, spec: Record<string, unknown>, name = 'demo') => {
    const file = join(workDir, `${ns}-${name}.json`);
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: 'lab.obslab.dev/v1alpha1',
        kind: 'ObservabilityLab',
        metadata: { name, namespace: ns },
        spec,
      }),
    );
    return kubectl('apply', '--server-side', '--field-manager=e2e', '--force-conflicts', '-f', file);
  };
  const patchLab = (ns: string, patch: unknown, name = 'demo') =>
    kubectl('-n', ns, 'patch', 'olab', name, '--type=merge', '-p', JSON.stringify(patch));
  const createNamespace = async (ns: string) => {
    await kubectl('create', 'namespace', ns);
    await kubectl('label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted');
    await eventually(() => kubectl('-n', ns, 'get', 'serviceaccount', 'default'), {
      timeoutMs: 30_000,
      description: `default ServiceAccount in ${ns}`,
    });
  };
  /** hostPath PersistentVolumes without a class, so the claims bind and pods get scheduled. */
  const createVolumes = async (prefix: string, count: number) => {
    const items = Array.from({ length: count }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `${prefix}-${i}` },
      spec: {
        capacity: { storage: '100Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        hostPath: { path: `/tmp/${prefix}-${i}` },
      },
    }));
    const file = join(workDir, `${prefix}-pvs.json`);
    await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    await kubectl('apply', '-f', file);
  };
  const startOperator = async (name: string, args: string[] = ['--leader-elect'], waitReady = true) => {
    const operator = await startOperatorProcess({
      workspaceRoot: root,
      kubeconfig: operatorKubeconfig,
      name,
      logDir: workDir,
      args,
      waitReady,
    });
    operators.push(operator);
    return operator;
  };
  const generationOf = async (ns: string) => (await lab(ns)).metadata.generation!;
  const readyLab = (ns: string, generation?: number) =>
    eventually(
      async () => {
        const current = await lab(ns);
        const ready = condition(current, 'Ready');
        assert.equal(ready?.status, 'True', `Ready: ${JSON.stringify(ready)}`);
        if (generation !== undefined) assert.equal(current.status?.observedGeneration, generation);
        return current;
      },
      { timeoutMs: 120_000, intervalMs: 500, description: `lab in ${ns} is Ready` },
    );

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'obslab-operator-e2e-'));
    controlPlane = await startControlPlane({
      fakeNodes: 2,
      controllers: [
        ...defaultControllers,
        'statefulset-controller',
        'persistentvolume-binder-controller',
        'persistentvolumeclaim-protection-controller',
      ],
      log: (line) => console.error(`# ${line}`),
    });
    kubectlBin = controlPlane.binaries.kubectl ?? 'kubectl';
    // The documented path: the CRD and the operator's RBAC from operator/dist/.
    await installOperatorDist(kubectl, root);
    const token = (
      await kubectl('-n', 'obslab-system', 'create', 'token', 'obslab-operator', '--duration=2h')
    ).trim();
    const ca = (await readFile(controlPlane.caCertPath)).toString('base64');
    operatorKubeconfig = join(workDir, 'operator.kubeconfig');
    await writeFile(
      operatorKubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'e2e', cluster: { server: controlPlane.server, 'certificate-authority-data': ca } },
        ],
        users: [{ name: 'obslab-operator', user: { token } }],
        contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'obslab-operator' } }],
        'current-context': 'e2e',
      }),
      { mode: 0o600 },
    );
  });

  after(async () => {
    await Promise.all(operators.map((o) => o.kill()));
    await controlPlane?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('refuses to start without a kubeconfig, saying what to do (exit code 2)', async () => {
    const failure = await run(
      process.execPath,
      [join(root, 'tools/lab/bin/lab.js'), 'operator', 'run', '--kubeconfig', join(workDir, 'missing.yaml')],
      { timeoutMs: 30_000 },
    ).then(
      () => assert.fail('lab operator run started without a kubeconfig'),
      (error: unknown) => error as CommandError,
    );
    assert.equal(failure.exitCode, 2, failure.stderr);
    assert.match(failure.stderr, /cannot load the kubeconfig/);
    assert.match(failure.stderr, /--kubeconfig/);
  });

  it('creates every child with an owner reference and reports Progressing while pods cannot be scheduled', async () => {
    await startOperator('operator-a');
    await createNamespace('lab-a');
    await applyLab('lab-a', {});
    const created = await lab('lab-a');
    const expected = desiredState(created).children;
    assert.ok(expected.length >= 35, `expected the whole lab, got ${expected.length} objects`);
    await eventually(
      async () => {
        for (const object of expected) {
          const child = await getJson('-n', 'lab-a', object.kind!, object.metadata.name);
          assert.equal(child.metadata.labels?.['lab.obslab.dev/name'], 'demo');
          if (object.kind === 'PersistentVolumeClaim') {
            assert.equal(
              child.metadata.ownerReferences,
              undefined,
              'retained claims carry no owner reference',
            );
          } else {
            const owner = child.metadata.ownerReferences?.find((r) => r.controller);
            assert.equal(owner?.uid, created.metadata.uid, `${object.kind}/${object.metadata.name} owner`);
            assert.equal(owner?.blockOwnerDeletion, true);
          }
        }
      },
      { timeoutMs: 60_000, intervalMs: 500, description: 'every desired child exists' },
    );
    const current = await eventually(
      async () => {
        const l = await lab('lab-a');
        assert.equal(condition(l, 'Progressing')?.status, 'True', JSON.stringify(l.status));
        return l;
      },
      { timeoutMs: 30_000, description: 'Progressing' },
    );
    assert.equal(condition(current, 'Ready')?.status, 'False');
    assert.equal(condition(current, 'Ready')?.reason, 'ComponentsNotReady');
    assert.match(condition(current, 'Ready')!.message, /waiting for .*task-api 0\/1/);
    assert.equal(condition(current, 'Degraded')?.status, 'False');
    assert.ok(
      (await exists('-n', 'lab-a', 'lease.coordination.k8s.io/obslab-operator')) === false,
      'lease lives in obslab-system',
    );
    const lease = await getJson<{ spec: { holderIdentity: string } }>(
      '-n',
      'obslab-system',
      'lease',
      'obslab-operator',
    );
    assert.equal(lease.spec.holderIdentity, 'operator-a');
  });

  it('reports Ready with every component ready once the claims bind and kwok runs the pods', async () => {
    await createVolumes('pv-a', 12);
    const ready = await readyLab('lab-a', 1);
    const status = ready.status as {
      summary: string;
      components: Record<string, { desired: number; ready: number }>;
      urls: Record<string, string>;
    };
    assert.equal(status.summary, '7/7');
    assert.deepEqual(status.components['frontend'], { desired: 2, ready: 2 });
    assert.equal(status.urls['grafana'], 'https://grafana.obslab.example.test/');
    const printed = await kubectl('-n', 'lab-a', 'get', 'olab');
    assert.match(printed, /^NAME\s+READY\s+COMPONENTS\s+DATABASE\s+AGE/m);
    assert.match(printed, /demo\s+True\s+7\/7\s+sqlite/);
    const events = await kubectl(
      '-n',
      'lab-a',
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=demo',
      '-o',
      'json',
    );
    const reasons = (JSON.parse(events) as { items: { reason: string }[] }).items.map((e) => e.reason);
    assert.ok(reasons.includes('Applied'), `events: ${reasons.join(', ')}`);
    assert.ok(reasons.includes('AllComponentsReady'), `events: ${reasons.join(', ')}`);
  });

  it('follows a spec change: children updated, observedGeneration follows, Ready again', async () => {
    await patchLab('lab-a', { spec: { frontend: { replicas: 3 }, retention: { prometheus: '7d' } } });
    const generation = (await lab('lab-a')).metadata.generation!;
    assert.equal(generation, 2);
    await eventually(
      async () => {
        const frontend = await getJson('-n', 'lab-a', 'deployment', 'frontend');
        assert.equal(frontend.spec?.['replicas'], 3);
        const prometheus = JSON.stringify(await getJson('-n', 'lab-a', 'deployment', 'prometheus'));
        assert.match(prometheus, /--storage\.tsdb\.retention\.time=7d/);
      },
      { timeoutMs: 30_000, description: 'frontend scaled to 3 and retention 7d' },
    );
    const ready = await readyLab('lab-a', 2);
    assert.deepEqual((ready.status as { components: Record<string, unknown> }).components['frontend'], {
      desired: 3,
      ready: 3,
    });
  });

  it('restores a deleted child and reverts an edited one (drift repair)', async () => {
    const service = await getJson('-n', 'lab-a', 'service', 'task-api');
    await kubectl('-n', 'lab-a', 'delete', 'service', 'task-api', '--wait=true');
    await kubectl('-n', 'lab-a', 'scale', 'deployment/grafana', '--replicas=4');
    await kubectl(
      '-n',
      'lab-a',
      'patch',
      'configmap',
      'otel-collector-config',
      '--type=merge',
      '-p',
      '{"data":{"config.yaml":"edited: true\\n"}}',
    );
    await eventually(
      async () => {
        const restored = await getJson('-n', 'lab-a', 'service', 'task-api');
        assert.notEqual(restored.metadata.uid, service.metadata.uid, 'a new Service');
        const grafana = await getJson('-n', 'lab-a', 'deployment', 'grafana');
        assert.equal(grafana.spec?.['replicas'], 1);
        const config = await getJson('-n', 'lab-a', 'configmap', 'otel-collector-config');
        assert.match(config.data?.['config.yaml'] ?? '', /receivers:/);
      },
      { timeoutMs: 30_000, description: 'Service restored, Deployment and ConfigMap reverted' },
    );
  });

  it('prunes the objects of a component turned off and keeps its data', async () => {
    await patchLab('lab-a', { spec: { components: { grafana: { enabled: false } } } });
    await eventually(
      async () => {
        assert.equal(await exists('-n', 'lab-a', 'deployment/grafana'), false, 'Deployment gone');
        assert.equal(await exists('-n', 'lab-a', 'service/grafana'), false, 'Service gone');
        assert.equal(await exists('-n', 'lab-a', 'configmap/grafana-provisioning'), false, 'ConfigMap gone');
        assert.equal(await exists('-n', 'lab-a', 'networkpolicy/grafana'), false, 'NetworkPolicy gone');
        const ingress = JSON.stringify(await getJson('-n', 'lab-a', 'ingress', 'obslab'));
        assert.doesNotMatch(ingress, /grafana\.obslab\.example\.test/);
      },
      { timeoutMs: 30_000, description: 'grafana pruned' },
    );
    assert.equal(await exists('-n', 'lab-a', 'pvc/grafana-data'), true, 'retainData keeps the claim');
    const ready = await readyLab('lab-a', 3);
    const status = ready.status as {
      summary: string;
      urls: Record<string, string>;
      components: Record<string, unknown>;
    };
    assert.equal(status.summary, '6/6');
    assert.equal(status.components['grafana'], undefined);
    assert.equal(status.urls['grafana'], undefined);
  });

  it('rejects invalid resources at admission with the CEL message, changing nothing', async () => {
    const before = await lab('lab-a');
    const attempts: [string, () => Promise<unknown>, RegExp][] = [
      [
        'several replicas on SQLite',
        () => patchLab('lab-a', { spec: { taskApi: { replicas: 3 } } }),
        /taskApi\.replicas above 1 needs database\.mode: postgres/,
      ],
      [
        'database mode change',
        () => patchLab('lab-a', { spec: { database: { mode: 'postgres' } } }),
        /database\.mode cannot change after creation/,
      ],
      [
        'same host twice',
        () => patchLab('lab-a', { spec: { ingress: { appHost: 'grafana.obslab.example.test' } } }),
        /ingress\.appHost and ingress\.grafanaHost must differ/,
      ],
      [
        'size change',
        () => patchLab('lab-a', { spec: { size: 'large' } }),
        /size cannot change after creation/,
      ],
      [
        'unknown size',
        () => patchLab('lab-a', { spec: { size: 'huge' } }),
        /spec\.size: Unsupported value: "huge"/,
      ],
      [
        'replicas out of range',
        () => patchLab('lab-a', { spec: { frontend: { replicas: 50 } } }),
        /spec\.frontend\.replicas: Invalid value: 50/,
      ],
    ];
    for (const [what, attempt, message] of attempts) {
      await assert.rejects(attempt(), (error: Error) => {
        assert.match(error.message, message, what);
        return true;
      });
    }
    await createNamespace('lab-invalid');
    await assert.rejects(
      applyLab('lab-invalid', { taskApi: { replicas: 2 } }),
      /needs database\.mode: postgres/,
    );
    assert.equal(await exists('-n', 'lab-invalid', 'olab'), false);
    const after = await lab('lab-a');
    assert.equal(after.metadata.generation, before.metadata.generation);
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  });

  it('reports a spec the chart cannot render as Degraded/InvalidSpec, and recovers when it is fixed', async () => {
    const frontend = await getJson('-n', 'lab-a', 'deployment', 'frontend');
    await patchLab('lab-a', { spec: { images: { frontend: 'obslab/frontend:latest' } } });
    const degraded = await eventually(
      async () => {
        const current = await lab('lab-a');
        assert.equal(condition(current, 'Degraded')?.status, 'True', JSON.stringify(current.status));
        assert.equal(current.status?.observedGeneration, current.metadata.generation);
        return current;
      },
      { timeoutMs: 30_000, description: 'Degraded' },
    );
    assert.equal(condition(degraded, 'Degraded')?.reason, 'InvalidSpec');
    assert.match(condition(degraded, 'Degraded')!.message, /latest/);
    assert.equal(condition(degraded, 'Ready')?.status, 'False');
    const untouched = await getJson('-n', 'lab-a', 'deployment', 'frontend');
    assert.equal(untouched.metadata.resourceVersion, frontend.metadata.resourceVersion, 'nothing applied');
    await patchLab('lab-a', { spec: { images: { frontend: null } } });
    const ready = await readyLab('lab-a', await generationOf('lab-a'));
    assert.equal(condition(ready, 'Degraded')?.status, 'False');
  });

  it('keeps storage.className once set', async () => {
    await createNamespace('lab-class');
    await applyLab('lab-class', {
      storage: { className: 'fast' },
      components: { grafana: { enabled: false } },
    });
    await assert.rejects(
      patchLab('lab-class', { spec: { storage: { className: 'slow' } } }),
      /storage\.className cannot change once set/,
    );
    await kubectl('-n', 'lab-class', 'delete', 'olab', 'demo', '--wait=true', '--timeout=60s');
  });

  it('accepts the documented examples (server-side dry run, CEL rules included)', async () => {
    await createNamespace('obslab');
    await createNamespace('obslab-pg');
    const out = await kubectl('apply', '--dry-run=server', '-f', join(root, 'operator/examples/'));
    assert.match(out, /observabilitylab\.lab\.obslab\.dev\/lab created \(server dry run\)/);
    assert.equal(out.trim().split('\n').length, 2, out);
  });

  it('refuses a second lab in a namespace: Degraded OwnedByAnotherLab, nothing touched', async () => {
    const frontend = await getJson('-n', 'lab-a', 'deployment', 'frontend');
    await applyLab('lab-a', {}, 'second');
    const second = await eventually(
      async () => {
        const current = await lab('lab-a', 'second');
        const degraded = condition(current, 'Degraded');
        assert.equal(degraded?.status, 'True', JSON.stringify(current.status));
        assert.equal(degraded?.reason, 'OwnedByAnotherLab');
        return current;
      },
      { timeoutMs: 30_000, description: 'second lab Degraded' },
    );
    assert.match(
      condition(second, 'Degraded')!.message,
      /ObservabilityLab demo already runs in namespace lab-a/,
    );
    const after = await getJson('-n', 'lab-a', 'deployment', 'frontend');
    assert.equal(
      after.metadata.resourceVersion,
      frontend.metadata.resourceVersion,
      "the first lab's objects untouched",
    );
    await kubectl('-n', 'lab-a', 'delete', 'olab', 'second', '--wait=true', '--timeout=60s');
    assert.equal(
      (await getJson('-n', 'lab-a', 'deployment', 'frontend')).metadata.uid,
      frontend.metadata.uid,
    );
  });

  it('converges after being killed in the middle of a reconcile and started again', async () => {
    const [first] = operators;
    await patchLab('lab-a', {
      spec: { components: { grafana: { enabled: true } }, frontend: { replicas: 2 } },
    });
    await first!.kill(); // SIGKILL: no lease release, possibly mid-apply
    operators.splice(operators.indexOf(first!), 1);
    const restarted = await startOperator('operator-b', ['--leader-elect'], false);
    const ready = await readyLab('lab-a', await generationOf('lab-a'));
    assert.equal((ready.status as { summary: string }).summary, '7/7');
    assert.equal((await getJson('-n', 'lab-a', 'deployment', 'frontend')).spec?.['replicas'], 2);
    assert.equal(await restarted.metric('obslab_operator_leader'), 1);
  });

  it('with two replicas, one leader reconciles and the other takes over when it stops', async () => {
    const leader = operators[0]!;
    const standby = await startOperator('operator-c', ['--leader-elect'], false);
    await eventually(() => fetch(`${standby.probesUrl}/readyz`).then((r) => assert.equal(r.status, 200)), {
      timeoutMs: 20_000,
      description: 'standby ready',
    });
    assert.equal(await standby.metric('obslab_operator_leader'), 0);
    await patchLab('lab-a', { spec: { frontend: { replicas: 1 } } });
    await readyLab('lab-a', await generationOf('lab-a'));
    assert.equal(await standby.metric('obslab_operator_reconcile_total'), 0, 'the standby never reconciles');
    assert.ok((await leader.metric('obslab_operator_reconcile_total')) > 0);

    const stopped = await leader.stop();
    assert.equal(stopped.code, 0, 'graceful stop exits 0');
    await eventually(async () => assert.equal(await standby.metric('obslab_operator_leader'), 1), {
      timeoutMs: 15_000,
      description: 'the standby takes the lease after the leader releases it',
    });
    const lease = await getJson<{ spec: { holderIdentity: string; leaseTransitions: number } }>(
      '-n',
      'obslab-system',
      'lease',
      'obslab-operator',
    );
    assert.equal(lease.spec.holderIdentity, 'operator-c');
    await patchLab('lab-a', { spec: { frontend: { replicas: 2 } } });
    await readyLab('lab-a', await generationOf('lab-a'));
    assert.ok((await standby.metric('obslab_operator_reconcile_total')) > 0, 'the new leader reconciles');
  });

  it('on delete, waits for the children to go, keeps the claims (retainData) and releases the finalizer', async () => {
    const before = await lab('lab-a');
    assert.ok(before.metadata.finalizers?.includes('lab.obslab.dev/cleanup'));
    await kubectl('-n', 'lab-a', 'delete', 'olab', 'demo', '--wait=false');
    await eventually(async () => assert.equal(await exists('-n', 'lab-a', 'olab/demo'), false), {
      timeoutMs: 90_000,
      intervalMs: 500,
      description: 'lab deleted',
    });
    for (const kind of [
      'deployment',
      'service',
      'configmap',
      'networkpolicy',
      'ingress',
      'role',
      'poddisruptionbudget',
    ]) {
      const left = await kubectl('-n', 'lab-a', 'get', kind, '-l', 'lab.obslab.dev/name=demo', '-o', 'name');
      assert.equal(left.trim(), '', `${kind} left behind: ${left}`);
    }
    const claims = await kubectl('-n', 'lab-a', 'get', 'pvc', '-o', 'name');
    assert.deepEqual(claims.trim().split('\n').sort(), [
      'persistentvolumeclaim/grafana-data',
      'persistentvolumeclaim/loki-data',
      'persistentvolumeclaim/prometheus-data',
      'persistentvolumeclaim/task-api-data',
      'persistentvolumeclaim/tempo-data',
    ]);
  });

  it('on delete with retainData false, deletes the claims too, PostgreSQL StatefulSet included', async () => {
    await createNamespace('lab-pg');
    await createVolumes('pv-pg', 10);
    await applyLab('lab-pg', {
      database: { mode: 'postgres' },
      taskApi: { replicas: 2 },
      retainData: false,
      size: 'small',
    });
    const ready = await readyLab('lab-pg', 1);
    assert.equal((ready.status as { summary: string }).summary, '8/8');
    assert.equal(await exists('-n', 'lab-pg', 'pvc/data-postgres-0'), true, 'the StatefulSet made its claim');
    await kubectl('-n', 'lab-pg', 'delete', 'olab', 'demo', '--wait=false');
    await eventually(
      async () => {
        assert.equal(await exists('-n', 'lab-pg', 'olab/demo'), false, 'lab gone');
        assert.equal((await kubectl('-n', 'lab-pg', 'get', 'pvc', '-o', 'name')).trim(), '', 'claims gone');
        assert.equal(
          (await kubectl('-n', 'lab-pg', 'get', 'statefulset', '-o', 'name')).trim(),
          '',
          'StatefulSet gone',
        );
      },
      { timeoutMs: 120_000, intervalMs: 1000, description: 'lab, StatefulSet and claims deleted' },
    );
  });

  it('keeps the claims when retainData is switched on while the operator is down and the lab is then deleted', async () => {
    await createNamespace('lab-pg2');
    await createVolumes('pv-pg2', 10);
    await applyLab('lab-pg2', { database: { mode: 'postgres' }, retainData: false, size: 'small' });
    await readyLab('lab-pg2', 1);
    await eventually(
      async () => {
        const claim = await getJson('-n', 'lab-pg2', 'pvc', 'data-postgres-0');
        assert.equal(
          claim.metadata.ownerReferences?.[0]?.kind,
          'StatefulSet',
          'retention Delete: owned by the StatefulSet',
        );
      },
      { timeoutMs: 30_000, description: 'the StatefulSet owns its claim' },
    );
    const running = operators.splice(0);
    await Promise.all(running.map((operator) => operator.stop()));
    await patchLab('lab-pg2', { spec: { retainData: true } });
    await kubectl('-n', 'lab-pg2', 'delete', 'olab', 'demo', '--wait=false');
    await startOperator('operator-d');
    await eventually(async () => assert.equal(await exists('-n', 'lab-pg2', 'olab/demo'), false), {
      timeoutMs: 120_000,
      intervalMs: 1000,
      description: 'lab deleted',
    });
    assert.equal(
      (await kubectl('-n', 'lab-pg2', 'get', 'statefulset', '-o', 'name')).trim(),
      '',
      'StatefulSet gone',
    );
    const claims = (await kubectl('-n', 'lab-pg2', 'get', 'pvc', '-o', 'name')).trim().split('\n').sort();
    assert.deepEqual(claims, [
      'persistentvolumeclaim/data-postgres-0',
      'persistentvolumeclaim/grafana-data',
      'persistentvolumeclaim/loki-data',
      'persistentvolumeclaim/prometheus-data',
      'persistentvolumeclaim/tempo-data',
    ]);
  });
});
