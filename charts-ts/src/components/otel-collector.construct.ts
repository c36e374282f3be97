import { componentOf } from '@obslab/stack';
import { Construct } from 'constructs';
import { type ResolvedLabProps } from '../lab.props.js';
import { renderWorkload, type RenderedWorkload } from '../workload.js';

/** Props of {@link OtelCollector}. */
export interface OtelCollectorProps {
  readonly lab: ResolvedLabProps;
}

/** The OpenTelemetry Collector: OTLP in, traces to Tempo, logs to Loki; no state. */
export class OtelCollector extends Construct {
  public readonly service: RenderedWorkload;

  constructor(scope: Construct, id: string, props: OtelCollectorProps) {
    super(scope, id);
    const { lab } = props;
    const component = componentOf(lab.stack, 'otel-collector');
    this.service = renderWorkload(this, {
      component,
      lab,
      replicas: 1,
      storage: 'ephemeral',
      probes: { liveness: component.health, readiness: component.health, startupSeconds: 120 },
    });
  }
}
