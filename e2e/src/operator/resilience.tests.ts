// The operator under trouble and on delete: killed mid-reconcile, two replicas and a leader change,
// deletion with and without retainData, retainData switched on while it is down.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eventually } from '@obslab/process';
import { type OperatorSuite } from './operator-suite.setup.js';

/** Registers this group in the current describe; `suite` is the one control plane of the file. */
export function describeResilience(suite: OperatorSuite): void {
  const {
    kubectl,
    getJson,
    exists,
    lab,
    applyLab,
    patchLab,
    createNamespace,
    createVolumes,
    startOperator,
    generationOf,
    readyLab,
  } = suite;
  it('converges after being killed in the middle of a reconcile and started again', async () => {
    const [first] = suite.operators;
    await patchLab('lab-a', {
      spec: { components: { grafana: { enabled: true } }, frontend: { replicas: 2 } },
    });
    await first!.kill(); // SIGKILL: no lease release, possibly mid-apply
    suite.operators.splice(suite.operators.indexOf(first!), 1);
    const restarted = await startOperator('operator-b', ['--leader-elect'], false);
    const ready = await readyLab('lab-a', await generationOf('lab-a'));
    assert.equal((ready.status as { summary: string }).summary, '7/7');
    assert.equal((await getJson('-n', 'lab-a', 'deployment', 'frontend')).spec?.['replicas'], 2);
    assert.equal(await restarted.metric('obslab_operator_leader'), 1);
  });

  it('with two replicas, one leader reconciles and the other takes over when it stops', async () => {
    const leader = suite.operators[0]!;
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
    const running = suite.operators.splice(0);
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
}
