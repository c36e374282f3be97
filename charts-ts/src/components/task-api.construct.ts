import { componentOf, connectionsAmong } from '@obslab/stack';
import { Construct } from 'constructs';
import { type ResolvedLabProps } from '../lab.props.js';
import { runningComponents } from '../running-components.js';
import { renderWorkload, type RenderedWorkload } from '../workload.js';
import { secretEnv } from '../workload-env.js';

/** Seconds a task-api pod keeps serving after its deletion, while traffic is routed away from it. */
export const TASK_API_PRE_STOP_SECONDS = 5;
/** task-api's SHUTDOWN_TIMEOUT_MS default (services/task-api): drain plus the telemetry flush. */
export const TASK_API_SHUTDOWN_SECONDS = 10;

/** Props of {@link TaskApi}. */
export interface TaskApiProps {
  readonly lab: ResolvedLabProps;
}

/**
 * The tasks API. On SQLite: one replica on a ReadWriteOnce PVC with the Recreate strategy. On
 * PostgreSQL: `taskApiReplicas` stateless replicas reading DATABASE_URL from the postgres Secret.
 */
export class TaskApi extends Construct {
  public readonly service: RenderedWorkload;

  constructor(scope: Construct, id: string, props: TaskApiProps) {
    super(scope, id);
    const { lab } = props;
    const component = componentOf(lab.stack, 'task-api');
    const postgres = lab.database === 'postgres';
    // Variables of its connections to the components that run (DATABASE_URL with PostgreSQL).
    const connectionEnv = connectionsAmong(lab.stack, runningComponents(lab))
      .filter((c) => c.from === component.name)
      .flatMap((c) => Object.entries(c.env ?? {}));
    this.service = renderWorkload(this, {
      component,
      lab,
      replicas: lab.taskApiReplicas,
      // With PostgreSQL the data directory holds nothing: an emptyDir keeps DATA_DIR writable.
      storage: postgres ? 'ephemeral' : 'pvc',
      // preStop, then SIGTERM: the service drains keep-alive connections (Connection: close) within
      // its shutdown timeout; the grace period covers both with a margin before SIGKILL.
      drain: {
        preStopSleepSeconds: TASK_API_PRE_STOP_SECONDS,
        terminationGracePeriodSeconds: TASK_API_PRE_STOP_SECONDS + TASK_API_SHUTDOWN_SECONDS + 5,
      },
      probes: {
        // Terminus: live = the process answers; ready = the database answers.
        liveness: { kind: 'http', port: 'http', path: '/health/live' },
        readiness: component.health,
        startupSeconds: 60,
      },
      envOverrides: Object.fromEntries(
        connectionEnv.map(([name, value]) => {
          if (value.kind !== 'secret')
            throw new Error(`LabChart: connection variable ${name} of task-api must be a secret`);
          return [name, secretEnv(name, value.variable, lab)];
        }),
      ),
    });
  }
}
