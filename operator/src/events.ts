// Kubernetes Events (events.k8s.io/v1) about a lab, as `kubectl describe olab` and `kubectl events` show them.
import { type ObservabilityLab } from './api/lab.types.js';
import { type KubeClient } from './kube/kube.client.js';
import { eventResource } from './kube/resources.js';

export type EventType = 'Normal' | 'Warning';

/** Records an event about a lab; best effort, as in client-go: a failure is logged, not retried. */
export interface EventRecorder {
  record(lab: ObservabilityLab, type: EventType, reason: string, action: string, note: string): Promise<void>;
}

/** The controller name events are reported under. */
export const reportingController = 'lab.obslab.dev/operator';

/** Writes events through the API. */
export class KubeEventRecorder implements EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly instance: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly log: (message: string, fields?: Record<string, unknown>) => void = () => undefined,
  ) {}

  async record(
    lab: ObservabilityLab,
    type: EventType,
    reason: string,
    action: string,
    note: string,
  ): Promise<void> {
    const { name, namespace, uid, resourceVersion } = lab.metadata;
    try {
      await this.client.create(eventResource, namespace, {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { generateName: `${name}-`, namespace },
        eventTime: this.clock().toISOString().replace('Z', '000Z'), // MicroTime
        reportingController,
        reportingInstance: this.instance,
        action,
        reason,
        note: note.slice(0, 1024),
        type,
        regarding: { apiVersion: lab.apiVersion, kind: lab.kind, name, namespace, uid, resourceVersion },
      });
    } catch (error) {
      this.log('could not record an event', {
        lab: `${namespace}/${name}`,
        reason,
        error: (error as Error).message,
      });
    }
  }
}
