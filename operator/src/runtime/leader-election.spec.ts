// Leader election against a real kube-apiserver: two electors on one Lease.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { skipUnlessKubeBinaries, startControlPlane, type ControlPlane } from '@obslab/control-plane';
import { KubeClient, type KubeObject } from './kube.client.js';
import { leaseResource, type ResourceRef } from './resources.js';
import { LeaderElector, LeadershipLostError, type LeaderElectionOptions } from './leader-election.js';

const skip = skipUnlessKubeBinaries();
const namespace = 'obslab-system';
const namespaceResource: ResourceRef = {
  kind: 'Namespace',
  group: '',
  version: 'v1',
  plural: 'namespaces',
  namespaced: false,
};
const leaseDurationMs = 3_000;

type Lease = KubeObject & {
  spec: { holderIdentity?: string | null; leaseTransitions?: number; renewTime?: string };
};

describe('LeaderElector on a real API server', { skip, timeout: 180_000 }, () => {
  let controlPlane: ControlPlane | undefined;
  let client: KubeClient;
  let leases = 0;

  before(async () => {
    controlPlane = await startControlPlane();
    const kc = new KubeConfig();
    kc.loadFromFile(controlPlane.kubeconfigPath);
    client = await KubeClient.fromKubeConfig(kc, { fieldManager: 'test' });
    await client.create(namespaceResource, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
  });

  after(async () => {
    client?.close();
    await controlPlane?.stop();
  });

  /** Two candidates on a Lease of their own, with short timings. */
  const candidates = (options: Partial<LeaderElectionOptions> = {}) => {
    const name = `lease-${++leases}`;
    const elector = (identity: string) =>
      new LeaderElector({
        client,
        namespace,
        name,
        identity,
        leaseDurationMs,
        retryIntervalMs: 200,
        renewIntervalMs: 500,
        renewDeadlineMs: 2_000,
        ...options,
      });
    return { name, a: elector('replica-a'), b: elector('replica-b') };
  };
  const leaseOf = (name: string) => client.get<Lease>(leaseResource, namespace, name);
  const timed = async (what: Promise<void>) => {
    const started = Date.now();
    await what;
    return Date.now() - started;
  };

  it('lets the first candidate acquire the lease and keeps the second waiting', async () => {
    const { name, a, b } = candidates();
    await a.acquire(AbortSignal.timeout(10_000));
    assert.equal(a.isLeader, true);
    assert.equal((await leaseOf(name)).spec.holderIdentity, 'replica-a');
    assert.equal((await leaseOf(name)).spec.leaseTransitions, 0);
    const controller = new AbortController();
    const aborting = setTimeout(() => controller.abort(new Error('gave up waiting')), 1_500);
    await assert.rejects(b.acquire(controller.signal));
    clearTimeout(aborting);
    assert.equal(b.isLeader, false);
    assert.equal((await leaseOf(name)).spec.holderIdentity, 'replica-a');
  });

  it('hands the lease over at the next try once the leader releases it, counting the transition', async () => {
    const { name, a, b } = candidates();
    await a.acquire(AbortSignal.timeout(10_000));
    const waiting = b.acquire(AbortSignal.timeout(10_000));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(b.isLeader, false);
    await a.release();
    assert.equal(a.isLeader, false);
    const waited = await timed(waiting);
    assert.ok(waited < 1_500, `took over ${waited} ms after the release, not at its next try`);
    assert.equal(b.isLeader, true);
    const lease = await leaseOf(name);
    assert.equal(lease.spec.holderIdentity, 'replica-b');
    assert.equal(lease.spec.leaseTransitions, 1);
  });

  it('releases nothing the replica no longer holds', async () => {
    const { name, a, b } = candidates();
    await a.acquire(AbortSignal.timeout(10_000));
    await a.release();
    await b.acquire(AbortSignal.timeout(10_000));
    await a.release();
    assert.equal((await leaseOf(name)).spec.holderIdentity, 'replica-b');
  });

  it('lets the second candidate take over once the leader stops renewing for the lease duration', async () => {
    const { name, a, b } = candidates();
    await a.acquire(AbortSignal.timeout(10_000)); // then abandoned: no hold(), no release()
    const waited = await timed(b.acquire(AbortSignal.timeout(15_000)));
    assert.ok(waited >= leaseDurationMs - 300, `took over after ${waited} ms, before the lease expired`);
    assert.ok(waited < leaseDurationMs + 3_000, `took over only after ${waited} ms`);
    const lease = await leaseOf(name);
    assert.equal(lease.spec.holderIdentity, 'replica-b');
    assert.equal(lease.spec.leaseTransitions, 1);
  });

  it('renews the lease while holding it, so no candidate takes over, and stops when aborted', async () => {
    const { name, a, b } = candidates();
    await a.acquire(AbortSignal.timeout(10_000));
    const firstRenewal = (await leaseOf(name)).spec.renewTime;
    const stop = new AbortController();
    const holding = a.hold(stop.signal);
    await assert.rejects(b.acquire(AbortSignal.timeout(leaseDurationMs + 1_500)));
    assert.notEqual((await leaseOf(name)).spec.renewTime, firstRenewal);
    assert.equal((await leaseOf(name)).spec.holderIdentity, 'replica-a');
    stop.abort();
    await holding;
    assert.equal(a.isLeader, true);
  });

  it('rejects hold() with LeadershipLostError once another replica has taken the lease', async () => {
    const { name, a } = candidates();
    await a.acquire(AbortSignal.timeout(10_000));
    const lease = await leaseOf(name);
    await client.replace(leaseResource, {
      ...lease,
      spec: {
        ...lease.spec,
        holderIdentity: 'replica-c',
        renewTime: new Date().toISOString().replace('Z', '000Z'),
        leaseTransitions: 1,
      },
    });
    const stop = new AbortController();
    const guard = setTimeout(() => stop.abort(), 10_000);
    await assert.rejects(a.hold(stop.signal), LeadershipLostError);
    clearTimeout(guard);
    assert.equal(stop.signal.aborted, false, 'hold() only returned because the test aborted it');
    assert.equal(a.isLeader, false);
    assert.equal((await leaseOf(name)).spec.holderIdentity, 'replica-c');
  });
});
