import { componentOf } from '@obslab/stack';
import { Construct } from 'constructs';
import { type ResolvedLabProps } from '../lab.props.js';
import { renderWorkload, type RenderedWorkload } from '../workload.js';

/** Props of {@link Frontend}. */
export interface FrontendProps {
  readonly lab: ResolvedLabProps;
  /** Fully qualified host of task-api's Service (nginx's resolver has no search path). */
  readonly taskApiHost: string;
  /** Fully qualified host of the collector's Service. */
  readonly collectorHost: string;
}

/** The UI's nginx: a Deployment (frontendReplicas) with a PodDisruptionBudget when replicated. */
export class Frontend extends Construct {
  /** The Service in front of the pods. */
  public readonly service: RenderedWorkload;

  constructor(scope: Construct, id: string, props: FrontendProps) {
    super(scope, id);
    const { lab } = props;
    const component = componentOf(lab.stack, 'frontend');
    const health = component.health;
    this.service = renderWorkload(this, {
      component,
      lab,
      replicas: lab.frontendReplicas,
      storage: 'ephemeral',
      probes: { liveness: health, readiness: health, startupSeconds: 30 },
      // nginx resolves upstream names itself (variable proxy_pass): it needs the DNS server's
      // address and fully qualified names, because it does not use the pod's search path.
      envOverrides: {
        NGINX_RESOLVER: { name: 'NGINX_RESOLVER', value: lab.dnsServiceIp },
        TASK_API_URL: { name: 'TASK_API_URL', value: `http://${props.taskApiHost}:3000` },
        OTEL_COLLECTOR_URL: { name: 'OTEL_COLLECTOR_URL', value: `http://${props.collectorHost}:4318` },
      },
    });
  }
}
