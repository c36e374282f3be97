import { componentOf } from '@obslab/stack';
import { Construct } from 'constructs';
import { type ResolvedLabProps } from '../lab.props.js';
import { renderWorkload, type RenderedWorkload } from '../workload.js';

/** Props of {@link Loki}. */
export interface LokiProps {
  readonly lab: ResolvedLabProps;
}

/** Grafana Loki, chunks and index on a PVC (Recreate). */
export class Loki extends Construct {
  public readonly service: RenderedWorkload;

  constructor(scope: Construct, id: string, props: LokiProps) {
    super(scope, id);
    const { lab } = props;
    const component = componentOf(lab.stack, 'loki');
    this.service = renderWorkload(this, {
      component,
      lab,
      replicas: 1,
      storage: 'pvc',
      probes: { liveness: component.health, readiness: component.health, startupSeconds: 120 },
    });
  }
}
