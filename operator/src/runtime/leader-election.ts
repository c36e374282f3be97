// Leader election on a coordination.k8s.io Lease, as client-go's leaderelection does it: a
// candidate takes the lease when its holder has not renewed it within leaseDuration (measured on
// the candidate's own clock, from when it last saw the record change), the leader renews it, and
// on a graceful stop the leader releases it so a standby takes over at its next try.
import { setTimeout as sleep } from 'node:timers/promises';
import { type KubeClient, type KubeObject, isConflict, isNotFound } from './kube.client.js';
import { leaseResource } from './resources.js';

export interface LeaderElectionOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  /** This replica's identity (pod name, or host name and pid). */
  readonly identity: string;
  /** How long a lease holds without renewal. Default: 15 s. */
  readonly leaseDurationMs?: number;
  /** How often the leader renews. Default: 5 s. */
  readonly renewIntervalMs?: number;
  /** The leader gives up when it could not renew for this long. Default: 10 s. */
  readonly renewDeadlineMs?: number;
  /** How often a candidate tries. Default: 2 s. */
  readonly retryIntervalMs?: number;
  readonly clock?: () => number;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = KubeObject & { spec?: LeaseSpec };

/** Thrown by {@link LeaderElector.hold} when the lease could not be renewed in time. */
export class LeadershipLostError extends Error {
  constructor(identity: string, cause: unknown) {
    super(`${identity} lost the leader lease: could not renew it in time`, { cause });
    this.name = 'LeadershipLostError';
  }
}

const microTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

export class LeaderElector {
  private observed: { key: string; at: number } | undefined;
  private leading = false;
  private readonly clock: () => number;

  constructor(private readonly options: LeaderElectionOptions) {
    this.clock = options.clock ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Whether the last attempt to read or write the lease reached the API server. */
  get reachable(): boolean {
    return this.lastAttemptOk;
  }

  private lastAttemptOk = false;

  /** Each lease request gives up after this long, so a hung connection cannot outlive the renew deadline. */
  private get callTimeoutMs(): number {
    return Math.max(1_000, (this.options.renewDeadlineMs ?? 10_000) / 2);
  }

  /** Resolves once this replica holds the lease; rejects with the signal's reason when aborted. */
  async acquire(signal: AbortSignal): Promise<void> {
    const log = this.options.log ?? (() => undefined);
    let waitingLogged = false;
    for (;;) {
      signal.throwIfAborted();
      let outcome: 'held' | 'taken' | 'conflict' | 'error';
      try {
        outcome = await this.tryAcquireOrRenew();
      } catch (error) {
        // A standby outlives API server hiccups: it keeps trying instead of exiting.
        outcome = 'error';
        log('could not read or write the leader lease; retrying', { error: (error as Error).message });
      }
      if (outcome === 'held') {
        this.leading = true;
        log('became leader', {
          lease: `${this.options.namespace}/${this.options.name}`,
          identity: this.options.identity,
        });
        return;
      }
      if (!waitingLogged) {
        log('waiting for the leader lease', { lease: `${this.options.namespace}/${this.options.name}` });
        waitingLogged = true;
      }
      await sleep(this.options.retryIntervalMs ?? 2_000, undefined, { signal });
    }
  }

  /** Renews the lease until `signal` aborts (resolves) or renewing fails past the deadline (rejects). */
  async hold(signal: AbortSignal): Promise<void> {
    const interval = this.options.renewIntervalMs ?? 5_000;
    const deadline = this.options.renewDeadlineMs ?? 10_000;
    let lastRenewed = this.clock();
    let lastError: unknown;
    while (!signal.aborted) {
      try {
        await sleep(interval, undefined, { signal });
      } catch {
        return;
      }
      let takenOver = false;
      try {
        const outcome = await this.tryAcquireOrRenew();
        if (outcome === 'held') {
          lastRenewed = this.clock();
          continue;
        }
        takenOver = outcome === 'taken';
        lastError = new Error(
          takenOver ? 'another replica holds the lease' : 'the lease changed while renewing it',
        );
      } catch (error) {
        lastError = error;
      }
      if (takenOver || this.clock() - lastRenewed >= deadline) {
        this.leading = false;
        throw new LeadershipLostError(this.options.identity, lastError);
      }
    }
  }

  /** Gives the lease up (only if still ours), so a standby takes over without waiting for it to expire. */
  async release(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    const { client, namespace, name, identity } = this.options;
    try {
      const lease = await client.get<Lease>(leaseResource, namespace, name, {
        timeoutMs: this.callTimeoutMs,
      });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = this.clock();
      await client.replace(
        leaseResource,
        {
          ...lease,
          spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime(now) },
        },
        { timeoutMs: this.callTimeoutMs },
      );
    } catch (error) {
      (this.options.log ?? (() => undefined))('could not release the lease; it expires on its own', {
        error: (error as Error).message,
      });
    }
  }

  /** `held`: ours now; `taken`: another replica holds it; `conflict`: it changed under us, try again. */
  private async tryAcquireOrRenew(): Promise<'held' | 'taken' | 'conflict'> {
    try {
      const outcome = await this.attempt();
      this.lastAttemptOk = true;
      return outcome;
    } catch (error) {
      this.lastAttemptOk = false;
      throw error;
    }
  }

  private async attempt(): Promise<'held' | 'taken' | 'conflict'> {
    const { client, namespace, name, identity } = this.options;
    const durationSeconds = Math.ceil((this.options.leaseDurationMs ?? 15_000) / 1000);
    const now = this.clock();
    let lease: Lease;
    try {
      lease = await client.get<Lease>(leaseResource, namespace, name, { timeoutMs: this.callTimeoutMs });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        await client.create(
          leaseResource,
          namespace,
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: microTime(now),
              renewTime: microTime(now),
              leaseTransitions: 0,
            },
          },
          { timeoutMs: this.callTimeoutMs },
        );
        return 'held';
      } catch (createError) {
        if (isConflict(createError)) return 'conflict';
        throw createError;
      }
    }
    const spec = lease.spec ?? {};
    const key = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
    if (this.observed?.key !== key) this.observed = { key, at: now };
    const holder = spec.holderIdentity ?? '';
    const expired = now >= this.observed.at + (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (holder && holder !== identity && !expired) return 'taken';
    const changingHands = holder !== identity;
    try {
      await client.replace(
        leaseResource,
        {
          ...lease,
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: changingHands ? microTime(now) : (spec.acquireTime ?? microTime(now)),
            renewTime: microTime(now),
            // As client-go counts: every change of holder, a take-over after a release included.
            leaseTransitions: (spec.leaseTransitions ?? 0) + (changingHands ? 1 : 0),
          },
        },
        { timeoutMs: this.callTimeoutMs },
      );
      return 'held';
    } catch (error) {
      if (isConflict(error)) return 'conflict';
      throw error;
    }
  }
}
