import { componentOf, type ComponentName } from '@obslab/stack';
import { Construct } from 'constructs';
import { type ResolvedLabProps } from '../lab.props.js';
import { renderWorkload, type RenderedWorkload } from '../workload.js';

/** Props of {@link StackComponent}. */
export interface StackComponentProps {
  readonly lab: ResolvedLabProps;
  /** The stack's component to render. */
  readonly component: ComponentName;
}

/**
 * A component that needs nothing beyond what the stack says: one replica, its health endpoint as
 * every probe (two minutes to start), a PVC per volume (Recreate) or no state. Components that need
 * more (config rendered for Kubernetes, Secrets, replicas, RBAC) have their own construct.
 */
export class StackComponent extends Construct {
  public readonly service: RenderedWorkload;

  constructor(scope: Construct, id: string, props: StackComponentProps) {
    super(scope, id);
    const { lab } = props;
    const component = componentOf(lab.stack, props.component);
    this.service = renderWorkload(this, {
      component,
      lab,
      replicas: 1,
      storage: component.volumes.length > 0 ? 'pvc' : 'ephemeral',
      probes: { liveness: component.health, readiness: component.health, startupSeconds: 120 },
    });
  }
}
