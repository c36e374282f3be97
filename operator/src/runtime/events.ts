// Kubernetes Events (events.k8s.io/v1) about an object, as `kubectl describe` and `kubectl events` show them.
import { type KubeClient } from './kube.client.js';
import { eventResource } from './resources.js';

export type EventType = 'Normal' | 'Warning';

/** The object an event is about. */
export interface EventSubject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
}

/** Records an event about an object; best effort, as in client-go: a failure is logged, not retried. */
export interface EventRecorder {
  record(
    regarding: EventSubject,
    type: EventType,
    reason: string,
    action: string,
    note: string,
  ): Promise<void>;
}

/** Writes events through the API. */
export class KubeEventRecorder implements EventRecorder {
  constructor(
    private readonly client: KubeClient,
    /** The controller events are reported under, e.g. `lab.obslab.dev/operator`. */
    private readonly reportingController: string,
    private readonly instance: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly log: (message: string, fields?: Record<string, unknown>) => void = () => undefined,
  ) {}

  async record(
    regarding: EventSubject,
    type: EventType,
    reason: string,
    action: string,
    note: string,
  ): Promise<void> {
    const { name, namespace, uid, resourceVersion } = regarding.metadata;
    try {
      await this.client.create(eventResource, namespace, {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { generateName: `${name}-`, namespace },
        eventTime: this.clock().toISOString().replace('Z', '000Z'), // MicroTime
        reportingController: this.reportingController,
        reportingInstance: this.instance,
        action,
        reason,
        note: note.slice(0, 1024),
        type,
        regarding: {
          apiVersion: regarding.apiVersion,
          kind: regarding.kind,
          name,
          namespace,
          uid,
          resourceVersion,
        },
      });
    } catch (error) {
      this.log('could not record an event', {
        regarding: `${regarding.kind}/${namespace}/${name}`,
        reason,
        error: (error as Error).message,
      });
    }
  }
}
