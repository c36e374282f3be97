import { componentOf } from '@obslab/stack';
import { Construct } from 'constructs';
import { type ResolvedLabProps } from '../lab.props.js';
import { renderWorkload, secretEnv, type RenderedWorkload } from '../workload.js';

/** Props of {@link Grafana}. */
export interface GrafanaProps {
  readonly lab: ResolvedLabProps;
}

/** Grafana with the provisioned datasources and dashboards; admin user and password from the admin Secret. */
export class Grafana extends Construct {
  public readonly service: RenderedWorkload;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const { lab } = props;
    const component = componentOf(lab.stack, 'grafana');
    this.service = renderWorkload(this, {
      component,
      lab,
      replicas: 1,
      storage: 'pvc',
      probes: { liveness: component.health, readiness: component.health, startupSeconds: 120 },
      envOverrides: {
        GF_SECURITY_ADMIN_USER: secretEnv('GF_SECURITY_ADMIN_USER', 'GRAFANA_ADMIN_USER', lab),
      },
    });
  }
}
