import { componentOf } from '@obslab/stack';
import { Construct } from 'constructs';
import { type ResolvedLabProps } from '../lab.props.js';
import { renderWorkload, type RenderedWorkload } from '../workload.js';

/** Props of {@link Frontend}. */
export interface FrontendProps {
  readonly lab: ResolvedLabProps;
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
      // nginx resolves upstream names itself (variable proxy_pass): the stack says so
      // (resolvesNamesItself), so its endpoints are fully qualified and its resolver is the cluster DNS.
      probes: { liveness: health, readiness: health, startupSeconds: 30 },
    });
  }
}
