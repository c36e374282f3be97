import { componentOf } from '@obslab/stack';
import { Construct } from 'constructs';
import { type ResolvedLabProps } from '../lab.props.js';
import { renderWorkload, type RenderedWorkload } from '../workload.js';
import { secretEnv } from '../workload-env.js';

/** Props of {@link Postgres}. */
export interface PostgresProps {
  readonly lab: ResolvedLabProps;
}

/** PostgreSQL for task-api: a StatefulSet with a volumeClaimTemplate; the password from the postgres Secret. */
export class Postgres extends Construct {
  public readonly service: RenderedWorkload;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    const { lab } = props;
    const component = componentOf(lab.stack, 'postgres');
    this.service = renderWorkload(this, {
      component,
      lab,
      replicas: 1,
      storage: 'claim-template',
      probes: { liveness: component.health, readiness: component.health, startupSeconds: 60 },
      envOverrides: { POSTGRES_PASSWORD: secretEnv('POSTGRES_PASSWORD', 'POSTGRES_PASSWORD', lab) },
    });
  }
}
