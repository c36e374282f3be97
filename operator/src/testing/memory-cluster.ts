// An in-memory cluster for specs of the reconciler: a LabStore over a map of objects, a client that
// writes into that map (server-side apply, merge patch, delete, with resourceVersion and uid
// preconditions as the API server checks them), and an event recorder, each recording its calls.
import { type EventRecorder, type EventSubject, type EventType } from '../runtime/events.js';
import { KubeApiError, type KubeObject } from '../runtime/kube.client.js';
import { type ResourceRef } from '../runtime/resources.js';
import { type LabClient } from '../lab/lab.children.js';
import { type LabStore } from '../lab/lab.store.js';
import { labLabels, type LabStatus, type ObservabilityLab } from '../lab/lab.types.js';

/** A call the client received. */
export interface ClientCall {
  readonly verb: 'apply' | 'patch' | 'delete';
  /** `Kind/name` (`ObservabilityLab/demo` for the lab). */
  readonly key: string;
  readonly subresource?: string;
  readonly body?: unknown;
  readonly propagationPolicy?: string;
}

/** A recorded event. */
export interface RecordedEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly action: string;
  readonly note: string;
}

const keyOf = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace}/${name}`;
const clone = <T>(value: T): T => structuredClone(value);
/** `fn`'s result or error as a promise, as an API call answers. */
const answer = <T>(fn: () => T): Promise<T> => {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
};

export class MemoryCluster {
  private readonly objects = new Map<string, KubeObject>();
  private version = 100;
  private uids = 0;
  readonly calls: ClientCall[] = [];
  readonly events: RecordedEvent[] = [];
  /** `Kind/name` of children whose apply fails, with the API server's message. */
  readonly failApply = new Map<string, string>();

  /** Puts objects into the cluster (and so into the store), as another writer would. */
  add(...objects: (KubeObject | ObservabilityLab)[]): this {
    for (const object of objects) {
      const copy = clone(object) as KubeObject;
      copy.metadata.uid ??= `uid-${++this.uids}`;
      copy.metadata.resourceVersion = String(++this.version);
      this.objects.set(keyOf(copy.kind!, copy.metadata.namespace, copy.metadata.name), copy);
    }
    return this;
  }

  /** Removes an object, as the garbage collector would. */
  remove(kind: string, namespace: string, name: string): void {
    this.objects.delete(keyOf(kind, namespace, name));
  }

  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(keyOf(kind, namespace, name));
  }

  /** The bodies of the status writes. */
  statusWrites(): LabStatus[] {
    return this.calls
      .filter((c) => c.subresource === 'status')
      .map((c) => (c.body as { status: LabStatus }).status);
  }

  readonly store: LabStore = {
    lab: (namespace, name) => this.read('ObservabilityLab', namespace, name) as ObservabilityLab | undefined,
    labsIn: (namespace) =>
      [...this.objects.values()]
        .filter((o) => o.kind === 'ObservabilityLab' && o.metadata.namespace === namespace)
        .map(clone) as unknown as ObservabilityLab[],
    children: (namespace, labName) =>
      [...this.objects.values()]
        .filter((o) => o.metadata.namespace === namespace && o.metadata.labels?.[labLabels.lab] === labName)
        .map(clone),
    object: (kind, namespace, name) => this.read(kind, namespace, name),
  };

  readonly client: LabClient = {
    apply: <T extends KubeObject = KubeObject>(
      resource: ResourceRef,
      object: KubeObject,
      subresource?: string,
    ) =>
      answer(() => {
        const { namespace, name, resourceVersion } = object.metadata;
        this.calls.push({
          verb: 'apply',
          key: `${resource.kind}/${name}`,
          ...(subresource ? { subresource } : {}),
          body: clone(object),
        });
        const failure = this.failApply.get(`${resource.kind}/${name}`);
        if (failure) throw new KubeApiError(422, 'Invalid', failure, `PATCH ${resource.plural}/${name}`);
        const current = this.get(resource.kind, namespace!, name);
        if (subresource === 'status') {
          if (!current) throw new KubeApiError(404, 'NotFound', 'not found', `PATCH ${name}/status`);
          this.precondition(current, resourceVersion);
          current['status'] = clone(object['status']);
          current.metadata.resourceVersion = String(++this.version);
          return clone(current) as T;
        }
        const stored = clone(object);
        stored.metadata.uid = current?.metadata.uid ?? `uid-${++this.uids}`;
        stored.metadata.resourceVersion = String(++this.version);
        if (current?.['status'] !== undefined) stored['status'] = current['status'];
        this.objects.set(keyOf(resource.kind, namespace, name), stored);
        return clone(stored) as T;
      }),
    patch: <T extends KubeObject = KubeObject>(
      resource: ResourceRef,
      namespace: string | undefined,
      name: string,
      type: string,
      patch: unknown,
    ) =>
      answer(() => {
        this.calls.push({ verb: 'patch', key: `${resource.kind}/${name}`, body: clone(patch) });
        const current = this.get(resource.kind, namespace!, name);
        if (!current || type !== 'merge')
          throw new KubeApiError(404, 'NotFound', 'not found', `PATCH ${name}`);
        const { metadata = {}, spec } = patch as {
          metadata?: Record<string, unknown>;
          spec?: Record<string, unknown>;
        };
        this.precondition(current, metadata['resourceVersion'] as string | undefined);
        for (const [field, value] of Object.entries(metadata)) {
          if (field === 'resourceVersion') continue;
          if (value === null) delete current.metadata[field];
          else current.metadata[field] = clone(value);
        }
        if (spec) current['spec'] = { ...(current['spec'] as object), ...clone(spec) };
        current.metadata.resourceVersion = String(++this.version);
        return clone(current) as T;
      }),
    delete: (resource, namespace, name, options = {}) =>
      answer(() => {
        this.calls.push({
          verb: 'delete',
          key: `${resource.kind}/${name}`,
          ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
        });
        const current = this.get(resource.kind, namespace!, name);
        if (!current) throw new KubeApiError(404, 'NotFound', 'not found', `DELETE ${name}`);
        if (options.uid && options.uid !== current.metadata.uid)
          throw new KubeApiError(409, 'Conflict', 'uid precondition failed', `DELETE ${name}`);
        if (options.propagationPolicy === 'Foreground') {
          current.metadata.finalizers = [...(current.metadata.finalizers ?? []), 'foregroundDeletion'];
          current.metadata.deletionTimestamp ??= '2026-01-01T00:00:00Z';
          current.metadata.resourceVersion = String(++this.version);
        } else this.objects.delete(keyOf(resource.kind, namespace, name));
      }),
  };

  readonly recorder: EventRecorder = {
    record: (_regarding: EventSubject, type, reason, action, note) =>
      answer(() => {
        this.events.push({ type, reason, action, note });
      }),
  };

  private read(kind: string, namespace: string, name: string) {
    const object = this.get(kind, namespace, name);
    return object && clone(object);
  }

  private precondition(current: KubeObject, resourceVersion: string | undefined) {
    if (resourceVersion !== undefined && resourceVersion !== current.metadata.resourceVersion)
      throw new KubeApiError(
        409,
        'Conflict',
        'the object has been modified',
        `PATCH ${current.metadata.name}`,
      );
  }
}
