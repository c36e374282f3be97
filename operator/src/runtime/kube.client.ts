// A small JSON client for the few calls the operator makes. One keep-alive HTTPS agent (the
// generated client builds a new TLS connection per request), plain JSON objects (no typed
// deserialization), and one place that counts every request for /metrics and the benchmark.
import { Agent, request as httpsRequest, type AgentOptions } from 'node:https';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { type KubeConfig } from '@kubernetes/client-node';
import { apiVersionOf, resourcePath, type ResourceRef } from './resources.js';

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    finalizers?: string[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A Kubernetes List. */
export interface KubeList<T extends KubeObject = KubeObject> {
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** The API server answered with an error status. */
export class KubeApiError extends Error {
  constructor(
    public readonly code: number,
    public readonly reason: string,
    message: string,
    public readonly request: string,
  ) {
    super(`${request}: ${code} ${reason}: ${message}`);
    this.name = 'KubeApiError';
  }
}

/** Whether `error` is the API server's 404. */
export const isNotFound = (error: unknown) => error instanceof KubeApiError && error.code === 404;
/** Whether `error` is a 409 (conflict: stale resourceVersion, or already exists). */
export const isConflict = (error: unknown) => error instanceof KubeApiError && error.code === 409;

/** Called once per request sent (watches included), for metrics. */
export type RequestObserver = (verb: string, resource: string, code: number) => void;

export type PatchType = 'apply' | 'merge' | 'json';
const contentTypes: Record<PatchType, string> = {
  apply: 'application/apply-patch+yaml',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
};

interface RequestOptions {
  readonly verb: string;
  readonly resource: string;
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** Give up after this long. Default: 30 s. */
  readonly timeoutMs?: number;
}

/** Per-call options. */
export interface CallOptions {
  /** Give up after this long. Default: 30 s. */
  readonly timeoutMs?: number;
}

/** The client; make one with {@link KubeClient.fromKubeConfig}. */
export class KubeClient {
  private constructor(
    private readonly kubeconfig: KubeConfig,
    private readonly server: URL,
    private readonly agent: Agent | HttpAgent,
    private readonly fieldManager: string,
    private readonly observe: RequestObserver,
  ) {}

  /** A client for the kubeconfig's current context. */
  static async fromKubeConfig(
    kubeconfig: KubeConfig,
    options: { fieldManager: string; observe?: RequestObserver; maxSockets?: number },
  ): Promise<KubeClient> {
    const cluster = kubeconfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster: set current-context');
    const server = new URL(cluster.server);
    const tls: AgentOptions = {};
    await kubeconfig.applyToHTTPSOptions(tls);
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 16,
      ...(server.protocol === 'https:'
        ? {
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
            ...(tls.servername ? { servername: tls.servername } : {}),
          }
        : {}),
    };
    const agent = server.protocol === 'https:' ? new Agent(agentOptions) : new HttpAgent(agentOptions);
    return new KubeClient(
      kubeconfig,
      server,
      agent,
      options.fieldManager,
      options.observe ?? (() => undefined),
    );
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }

  async get<T extends KubeObject = KubeObject>(
    resource: ResourceRef,
    namespace: string | undefined,
    name: string,
    options: CallOptions = {},
  ) {
    return this.send<T>('GET', resourcePath(resource, namespace, name), {
      verb: 'get',
      resource: resource.plural,
      ...options,
    });
  }

  /** Whether the API server serves `group/version` (discovery). */
  async serves(group: string, version: string): Promise<boolean> {
    try {
      await this.send('GET', `/apis/${group}/${version}`, { verb: 'get', resource: 'discovery' });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Lists every page of a collection (all namespaces when `namespace` is undefined). */
  async list<T extends KubeObject = KubeObject>(
    resource: ResourceRef,
    options: { namespace?: string; labelSelector?: string } = {},
  ): Promise<KubeList<T>> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await this.send<KubeList<T>>('GET', resourcePath(resource, options.namespace), {
        verb: 'list',
        resource: resource.plural,
        query: { labelSelector: options.labelSelector, limit: '500', continue: continueToken },
      });
      for (const item of page.items) {
        item.apiVersion ??= apiVersionOf(resource);
        item.kind ??= resource.kind;
      }
      items.push(...page.items);
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (continueToken);
    return { metadata: { resourceVersion }, items };
  }

  /** Server-side apply of a whole object (field manager from the constructor; conflicts forced). */
  async apply<T extends KubeObject = KubeObject>(
    resource: ResourceRef,
    object: KubeObject,
    subresource?: string,
  ) {
    const { name, namespace } = object.metadata;
    return this.send<T>('PATCH', resourcePath(resource, namespace, name, subresource), {
      verb: subresource ? `apply/${subresource}` : 'apply',
      resource: resource.plural,
      query: { fieldManager: this.fieldManager, force: 'true' },
      body: object,
      contentType: contentTypes.apply,
    });
  }

  async patch<T extends KubeObject = KubeObject>(
    resource: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: Exclude<PatchType, 'apply'>,
    patch: unknown,
  ) {
    return this.send<T>('PATCH', resourcePath(resource, namespace, name), {
      verb: 'patch',
      resource: resource.plural,
      query: { fieldManager: this.fieldManager },
      body: patch,
      contentType: contentTypes[type],
    });
  }

  async create<T extends KubeObject = KubeObject>(
    resource: ResourceRef,
    namespace: string | undefined,
    body: unknown,
    options: CallOptions = {},
  ) {
    return this.send<T>('POST', resourcePath(resource, namespace), {
      verb: 'create',
      resource: resource.plural,
      query: { fieldManager: this.fieldManager },
      body,
      ...options,
    });
  }

  async replace<T extends KubeObject = KubeObject>(
    resource: ResourceRef,
    object: KubeObject,
    options: CallOptions = {},
  ) {
    return this.send<T>('PUT', resourcePath(resource, object.metadata.namespace, object.metadata.name), {
      verb: 'update',
      resource: resource.plural,
      query: { fieldManager: this.fieldManager },
      body: object,
      ...options,
    });
  }

  async delete(
    resource: ResourceRef,
    namespace: string | undefined,
    name: string,
    options: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'; uid?: string } = {},
  ): Promise<void> {
    await this.send('DELETE', resourcePath(resource, namespace, name), {
      verb: 'delete',
      resource: resource.plural,
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
        ...(options.uid ? { preconditions: { uid: options.uid } } : {}),
      },
    });
  }

  private auth: { readAt: number; headers: Record<string, string> } | undefined;

  /**
   * Authorization headers from the kubeconfig, read again at most once a minute (as client-go
   * does): bearer token files rotate in-cluster, but reading them per request is wasted I/O.
   */
  private async authHeaders(): Promise<Record<string, string>> {
    const now = Date.now();
    if (!this.auth || now - this.auth.readAt > 60_000) {
      const source: { headers?: Record<string, string> } = {};
      await this.kubeconfig.applyToHTTPSOptions(source);
      this.auth = { readAt: now, headers: source.headers ?? {} };
    }
    return this.auth.headers;
  }

  private async send<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const url = new URL(path, this.server);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const authHeaders = await this.authHeaders();
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      ...authHeaders,
      accept: 'application/json',
      'user-agent': 'obslab-operator/0.1.0',
      ...(body === undefined
        ? {}
        : {
            'content-type': options.contentType ?? 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          }),
    };
    const describe = `${options.verb} ${url.pathname}`;
    const send = this.server.protocol === 'https:' ? httpsRequest : httpRequest;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 30_000;
      const req = send(url, { method, headers, agent: this.agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${describe}: no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => {
        this.observe(options.verb, options.resource, 0);
        reject(new Error(`${describe}: ${error.message}`, { cause: error }));
      });
      req.end(body);
    });
    this.observe(options.verb, options.resource, status);
    const parsed = parseJson(text);
    if (status >= 200 && status < 300) return parsed as T;
    const statusBody = (parsed ?? {}) as { reason?: string; message?: string };
    throw new KubeApiError(status, statusBody.reason ?? 'Unknown', statusBody.message ?? text, describe);
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}
