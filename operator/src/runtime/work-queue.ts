// A work queue in the shape of client-go's: a key is queued at most once, is never processed by
// two workers at the same time (a key added while it is processed runs again afterwards), failed
// keys come back after an exponential backoff, and a fixed number of workers drain it.

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Workers processing keys at once. Default: 4. */
  readonly concurrency?: number;
  /** First retry delay after a failure. Default: 200 ms. */
  readonly baseDelayMs?: number;
  /** Longest retry delay. Default: 60 000 ms. */
  readonly maxDelayMs?: number;
  /** Collect keys without processing them until resume() (e.g. until the caches are filled). Default: false. */
  readonly paused?: boolean;
  /** Called whenever the number of waiting keys changes. */
  readonly onDepth?: (depth: number) => void;
}

/** What the handler says about a key. */
export interface HandlerResult {
  readonly requeueAfterMs?: number;
}

export type KeyHandler = (key: string) => Promise<HandlerResult>;

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  private readonly idleWaiters: (() => void)[] = [];
  private running = 0;
  private stopped = false;
  private paused: boolean;
  private readonly concurrency: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly handler: KeyHandler,
    private readonly options: WorkQueueOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.paused = options.paused ?? false;
  }

  /** Starts handing keys to workers (a queue made with `paused` collects keys until then). */
  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Stops handing out keys; the passes in progress finish. */
  pause(): void {
    this.paused = true;
  }

  /** Queues `key` now (de-duplicated). */
  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.options.onDepth?.(this.queue.length);
    this.pump();
  }

  /** Queues `key` after `ms` (an earlier pending delay for it wins). */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const due = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.due <= due) return; // the earlier deadline wins
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, { timer, due });
  }

  /** Queues `key` after its backoff: base × 2^(failures), capped. */
  addRateLimited(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
    this.addAfter(key, delay);
    return delay;
  }

  /** Forgets a key's failures (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Keys waiting now. */
  get depth(): number {
    return this.queue.length;
  }

  /** Resolves when no key is queued or processing. */
  async idle(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking keys and waits for the ones in progress. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    await this.idle();
  }

  private pump(): void {
    while (!this.stopped && !this.paused && this.running < this.concurrency && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.options.onDepth?.(this.queue.length);
      this.processing.add(key);
      this.running++;
      void this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    let result: HandlerResult | undefined;
    let failed = false;
    try {
      result = await this.handler(key);
    } catch {
      failed = true; // the handler reports its own errors; the queue only retries
    }
    this.processing.delete(key);
    this.running--;
    if (failed) this.addRateLimited(key);
    else {
      this.forget(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    }
    // A failed key waits for its backoff even if it changed meanwhile; otherwise it runs again now.
    if (this.dirtyWhileProcessing.delete(key) && !failed) this.add(key);
    this.pump();
    if (this.queue.length === 0 && this.running === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
