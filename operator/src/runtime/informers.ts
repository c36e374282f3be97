// Informers: one list+watch per kind (the primary kind the operator reconciles, and each kind of
// child it labels), cached in memory. Generic: what a child's primary is comes from the caller. client-node's ListWatch relists on 410 Gone; an informer that fails otherwise
// stops, so it is restarted here with a backoff. Watches ask for bookmarks and a server-side
// timeout, so an idle operator keeps its watches open instead of reconnecting every 30 s.
import { ListWatch, Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { internData } from './intern.js';
import { type KubeClient, type KubeObject } from './kube.client.js';
import { apiVersionOf, resourcePath, type ResourceRef } from './resources.js';

/** Options of {@link Informers}. */
export interface InformersOptions {
  readonly kubeconfig: KubeConfig;
  readonly client: KubeClient;
  /** The kind the operator reconciles. */
  readonly primary: ResourceRef;
  /** The kinds of the primaries' children, each watched with {@link childSelector}. */
  readonly children: readonly ResourceRef[];
  /** Label selector of the children informers. */
  readonly childSelector: string;
  /** `namespace/name` of the primary a child belongs to, if any. */
  readonly primaryKeyOf: (child: KubeObject) => string | undefined;
  /** Called with `namespace/name` of a primary whose object or children changed. */
  readonly onChange: (key: string) => void;
  /** Called for every watch request (re)opened, for metrics. */
  readonly onWatch?: (resource: string) => void;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Server-side timeout of each watch. Default: 300 s. */
  readonly watchTimeoutSeconds?: number;
}

/** Drops what the operator never reads (managedFields are often a third of an object). */
function slim<T extends KubeObject>(object: T): T {
  delete object.metadata['managedFields'];
  internData(object);
  return object;
}

class TunedWatch extends Watch {
  constructor(
    kubeconfig: KubeConfig,
    private readonly timeoutSeconds: number,
    private readonly onWatch: () => void,
    private readonly onConnected: () => void,
  ) {
    super(kubeconfig);
    // The client closes a watch after this long without data: a little longer than the server's timeout.
    (this as unknown as { requestTimeoutMs: number }).requestTimeoutMs = (timeoutSeconds + 30) * 1000;
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void, // eslint-disable-line @typescript-eslint/no-explicit-any
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    this.onWatch();
    let failed = false;
    const controller = await super.watch(
      path,
      { ...queryParams, allowWatchBookmarks: true, timeoutSeconds: this.timeoutSeconds },
      (phase, object: KubeObject, raw) => callback(phase, object?.metadata ? slim(object) : object, raw),
      (err) => {
        if (err) failed = true;
        done(err);
      },
    );
    if (!failed) this.onConnected(); // the server answered 200: the watch is open
    return controller;
  }
}

/** Caches of a primary kind and its children's kinds; `P` is the primary's type. */
export class Informers<P = KubeObject> {
  private readonly primaries: ListWatch<KubernetesObject>;
  private readonly informers = new Map<string, ListWatch<KubernetesObject>>();
  private readonly restarts = new Map<ListWatch<KubernetesObject>, NodeJS.Timeout>();
  private stopped = false;
  private readonly listed = new Set<string>();
  private readonly failing = new Set<string>();
  private onListed: (() => void) | undefined;

  constructor(private readonly options: InformersOptions) {
    const enqueuePrimary = (object: KubeObject) =>
      options.onChange(`${object.metadata.namespace}/${object.metadata.name}`);
    const enqueueOwner = (object: KubeObject) => {
      const key = options.primaryKeyOf(object);
      if (key) options.onChange(key);
    };
    this.primaries = this.informer(options.primary, undefined, enqueuePrimary);
    for (const resource of options.children) {
      this.informers.set(resource.kind, this.informer(resource, options.childSelector, enqueueOwner));
    }
  }

  /** Lists every kind and opens the watches; resolves when all caches are filled. */
  async start(): Promise<void> {
    await Promise.all(this.all().map((informer) => informer.start()));
  }

  /**
   * Resolves once every informer has listed successfully (a failed list is retried with backoff),
   * so no primary is reconciled against a half-filled cache.
   */
  async synced(signal: AbortSignal): Promise<void> {
    while (this.listed.size < this.all().length) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        this.onListed = resolve;
        setTimeout(resolve, 1000).unref();
      });
    }
  }

  /** Whether every informer works (none is between a failure and its next successful list). */
  healthy(): boolean {
    return this.failing.size === 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.restarts.values()) clearTimeout(timer);
    await Promise.all(this.all().map((informer) => informer.stop()));
  }

  /** Every primary in the cache, as `namespace/name`. */
  primaryKeys(): string[] {
    return this.primaries.list().map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
  }

  primariesIn(namespace: string): readonly P[] {
    return this.primaries.list(namespace) as unknown as readonly P[];
  }

  primary(namespace: string, name: string): P | undefined {
    return this.primaries.get(name, namespace) as unknown as P | undefined;
  }

  /** The cached children of every kind in `namespace` that `belongs` accepts. */
  children(namespace: string, belongs: (child: KubeObject) => boolean): readonly KubeObject[] {
    const result: KubeObject[] = [];
    for (const informer of this.informers.values()) {
      for (const object of informer.list(namespace) as readonly KubeObject[]) {
        if (belongs(object)) result.push(object);
      }
    }
    return result;
  }

  object(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.informers.get(kind)?.get(name, namespace) as KubeObject | undefined;
  }

  /** Objects cached, for the benchmark and debugging. */
  size(): number {
    return this.all().reduce((sum, informer) => sum + informer.list().length, 0);
  }

  private all(): ListWatch<KubernetesObject>[] {
    return [this.primaries, ...this.informers.values()];
  }

  private informer(
    resource: ResourceRef,
    labelSelector: string | undefined,
    onChange: (o: KubeObject) => void,
  ) {
    const { client, kubeconfig, log = () => undefined } = this.options;
    let failures = 0;
    const watch = new TunedWatch(
      kubeconfig,
      this.options.watchTimeoutSeconds ?? 300,
      () => this.options.onWatch?.(resource.plural),
      () => {
        failures = 0;
        this.failing.delete(resource.plural);
      },
    );
    const list = async () => {
      const result = await client.list(resource, labelSelector ? { labelSelector } : {});
      for (const item of result.items) slim(item);
      failures = 0;
      this.failing.delete(resource.plural);
      this.listed.add(resource.plural);
      this.onListed?.();
      return result as never;
    };
    const informer = new ListWatch<KubernetesObject>(
      resourcePath(resource),
      watch,
      list,
      false,
      labelSelector,
    );
    const changed = (object: KubernetesObject) => onChange(object as KubeObject);
    informer.on('add', changed);
    informer.on('update', changed);
    informer.on('delete', changed);
    informer.on('error', (error: unknown) => {
      if (this.stopped) return;
      this.failing.add(resource.plural);
      const delay = Math.min(1000 * 2 ** failures++, 30_000);
      log('watch failed; restarting', {
        resource: `${resource.plural}.${apiVersionOf(resource)}`,
        error: error instanceof Error ? error.message : String(error),
        retryInMs: delay,
      });
      const timer = setTimeout(() => {
        this.restarts.delete(informer);
        if (!this.stopped) void informer.start().catch(() => undefined);
      }, delay);
      this.restarts.set(informer, timer);
    });
    return informer;
  }
}
