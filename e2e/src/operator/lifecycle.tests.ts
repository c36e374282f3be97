// The operator's normal path: start-up without a kubeconfig, children with owner references, Ready,
// spec changes, drift repair, pruning a component turned off.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { desiredState } from '@obslab/operator';
import { type CommandError, eventually, run } from '@obslab/process';
import { type OperatorSuite, root } from './operator-suite.setup.js';

/** Registers this group in the current describe; `suite` is the one control plane of the file. */
export function describeLifecycle(suite: OperatorSuite): void {
  const {
    kubectl,
    getJson,
    exists,
    lab,
    condition,
    applyLab,
    patchLab,
    createNamespace,
    createVolumes,
    startOperator,
    readyLab,
  } = suite;
  it('refuses to start without a kubeconfig, saying what to do (exit code 2)', async () => {
    const failure = await run(
      process.execPath,
      [
        join(root, 'tools/lab/bin/lab.js'),
        'operator',
        'run',
        '--kubeconfig',
        join(suite.workDir, 'missing.yaml'),
      ],
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
}
