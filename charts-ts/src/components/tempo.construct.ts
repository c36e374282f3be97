import { componentOf } from '@obslab/stack';
import { Construct } from 'constructs';
import { type ResolvedLabProps } from '../lab.props.js';
import { renderWorkload, type RenderedWorkload } from '../workload.js';

/** Props of {@link Tempo}. */
export interface TempoProps {
  readonly lab: ResolvedLabProps;
}

/** Grafana Tempo, trace blocks on a PVC (Recreate). */
export class Tempo extends Construct {
  public readonly service: RenderedWorkload;

  constructor(scope: Construct, id: string, props: TempoProps) {
    super(scope, id);
    const { lab } = props;
    const component = componentOf(lab.stack, 'tempo');
    this.service = renderWorkload(this, {
      component,
      lab,
      replicas: 1,
      storage: 'pvc',
      probes: { liveness: component.health, readiness: component.health, startupSeconds: 120 },
    });
  }
}
