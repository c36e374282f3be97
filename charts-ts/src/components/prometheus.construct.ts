import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentOf, componentNames, portOf, type Stack } from '@obslab/stack';
import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { parse, stringify } from '../yaml.js';
import { type ResolvedLabProps } from '../lab.props.js';
import { componentLabels, renderWorkload, type RenderedWorkload } from '../workload.js';

/** Props of {@link Prometheus}. */
export interface PrometheusProps {
  readonly lab: ResolvedLabProps;
}

/** The compose configuration's path (the one file Kubernetes renders differently: service discovery). */
export const prometheusConfigSource = 'compose/config/prometheus/prometheus.yml';

type ScrapeConfig = { job_name: string; static_configs?: { targets: string[] }[]; [key: string]: unknown };

/**
 * prometheus.yml for Kubernetes, derived from compose's: every static target `<component>:<port>`
 * becomes pod discovery in the lab's namespace, kept by the component's name label and the port of
 * the stack's scrape connection to it; everything else (globals, rule files, job names,
 * self-scrape) is unchanged. The compose file's targets must be exactly the stack's scrape
 * connections: a target that is none, or a scrape connection without a job, is an error.
 */
export function kubernetesPrometheusConfig(composeConfig: string, namespace: string, stack: Stack): string {
  const scrapes = new Map(
    stack.connections
      .filter((c) => c.scrape)
      .map((c) => [c.to, String(portOf(componentOf(stack, c.to), c.port).containerPort)]),
  );
  const unscraped = new Set(scrapes.keys());
  const config = parse(composeConfig) as { scrape_configs?: ScrapeConfig[] };
  const scrapeConfigs = (config.scrape_configs ?? []).map((job): ScrapeConfig => {
    const targets = (job.static_configs ?? []).flatMap((group) => group.targets);
    const components = targets.map((target) => /^([a-z-]+):(\d+)$/.exec(target));
    if (
      targets.length === 0 ||
      components.some((match) => !match || !(componentNames as readonly string[]).includes(match[1]!))
    )
      return job;
    if (targets.length !== 1)
      throw new Error(
        `prometheus.yml job ${job.job_name}: one target per component job, got ${targets.join(', ')}`,
      );
    const [, component, written] = components[0]! as unknown as [string, string, string];
    const port = scrapes.get(component as never);
    if (port !== written)
      throw new Error(
        `LabChart: ${prometheusConfigSource} job ${job.job_name} scrapes ${component}:${written}, but the stack's scrape connection to ${component} is ${port === undefined ? 'missing' : `on port ${port}`}; make them agree (libs/stack lab.components.ts)`,
      );
    unscraped.delete(component as never);
    const rest: ScrapeConfig = { ...job };
    delete rest.static_configs;
    return {
      ...rest,
      kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [namespace] } }],
      relabel_configs: [
        {
          source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'],
          regex: component,
          action: 'keep',
        },
        { source_labels: ['__meta_kubernetes_pod_container_port_number'], regex: port, action: 'keep' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'instance' },
      ],
    };
  });
  if (unscraped.size > 0)
    throw new Error(
      `LabChart: ${prometheusConfigSource} has no job for the stack's scrape connection to ${[...unscraped].join(', ')}`,
    );
  return [
    `# Kubernetes rendering of ${prometheusConfigSource} by charts-ts: static targets became pod`,
    `# discovery in namespace ${namespace}; everything else is the compose file's.`,
    stringify({ ...config, scrape_configs: scrapeConfigs }),
  ].join('\n');
}

/** `${VAR:-default}` in a flag, from the props (compose interpolates these from its .env). */
function interpolate(flag: string, lab: ResolvedLabProps): string {
  return flag.replace(/\$\{([A-Z_][A-Z0-9_]*):-([^}]*)\}/g, (_all, variable: string, fallback: string) =>
    variable === 'PROMETHEUS_RETENTION' ? lab.retention.prometheus : (lab.settings[variable] ?? fallback),
  );
}

/** Prometheus with pod discovery in the lab namespace: a ServiceAccount and a Role that may only read pods there. */
export class Prometheus extends Construct {
  public readonly service: RenderedWorkload;
  /** The ServiceAccount its pods run as. */
  public readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id);
    const { lab } = props;
    const component = componentOf(lab.stack, 'prometheus');
    const namespace = lab.namespace;
    const labels = componentLabels('prometheus', lab);
    this.serviceAccountName = 'prometheus';
    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: this.serviceAccountName, namespace, labels },
      automountServiceAccountToken: false,
    });
    new k8s.KubeRole(this, 'role', {
      metadata: { name: 'prometheus-pod-discovery', namespace, labels },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    });
    new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata: { name: 'prometheus-pod-discovery', namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'prometheus-pod-discovery' },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace }],
    });
    const composeConfig = readFileSync(join(lab.workspaceRoot, prometheusConfigSource), 'utf8');
    this.service = renderWorkload(this, {
      component,
      lab,
      replicas: 1,
      storage: 'pvc',
      serviceAccountName: this.serviceAccountName,
      args: component.args.map((flag) => interpolate(flag, lab)),
      configOverrides: {
        [prometheusConfigSource]: kubernetesPrometheusConfig(composeConfig, namespace, lab.stack),
      },
      probes: {
        liveness: { kind: 'http', port: 'http', path: '/-/healthy' },
        readiness: component.health,
        startupSeconds: 120,
      },
    });
  }
}
