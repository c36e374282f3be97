import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentOf } from '@obslab/stack';
import { Construct } from 'constructs';
import YAML from 'yaml';
import { type OptionalComponent, type ResolvedLabProps } from '../lab.props.js';
import { renderWorkload, type RenderedWorkload } from '../workload.js';

/** Props of {@link OtelCollector}. */
export interface OtelCollectorProps {
  readonly lab: ResolvedLabProps;
}

/** The compose configuration's path. */
export const otelCollectorConfigSource = 'compose/config/otel-collector/config.yaml';

/** The backends the collector exports to; each one's exporters are named `<type>/<backend>`. */
export const collectorBackends = ['tempo', 'loki'] as const satisfies readonly OptionalComponent[];

type CollectorConfig = {
  exporters?: Record<string, unknown>;
  service?: { pipelines?: Record<string, { exporters?: string[] }> };
};

/**
 * The collector's config.yaml for Kubernetes. With every backend on, the compose file unchanged.
 * With backends `off`, their exporters (`<type>/<backend>`) are removed, and a pipeline left without
 * an exporter exports to the core `nop` exporter: the collector still accepts OTLP and discards it.
 * Comments are kept.
 */
export function kubernetesCollectorConfig(
  composeConfig: string,
  off: readonly (typeof collectorBackends)[number][],
): string {
  if (off.length === 0) return composeConfig;
  const doc = YAML.parseDocument(composeConfig);
  if (doc.errors.length > 0)
    throw new Error(`LabChart: ${otelCollectorConfigSource} is not valid YAML: ${doc.errors[0]!.message}`);
  const config = doc.toJSON() as CollectorConfig;
  const exporters = Object.keys(config.exporters ?? {});
  const removed = new Set<string>();
  for (const backend of off) {
    const names = exporters.filter((name) => name.split('/')[1] === backend);
    if (names.length === 0)
      throw new Error(
        `LabChart: ${otelCollectorConfigSource} has no exporter named <type>/${backend} (exporters: ${exporters.join(', ')}), so turning ${backend} off cannot remove it; name its exporter after the backend`,
      );
    for (const name of names) removed.add(name);
  }
  for (const name of removed) doc.deleteIn(['exporters', name]);
  let nop = false;
  for (const [pipeline, { exporters: used = [] }] of Object.entries(config.service?.pipelines ?? {})) {
    const path = ['service', 'pipelines', pipeline, 'exporters'];
    // From the end, so that the indexes still to delete do not move.
    for (let index = used.length - 1; index >= 0; index--)
      if (removed.has(used[index]!)) doc.deleteIn([...path, index]);
    if (used.length > 0 && used.every((name) => removed.has(name))) {
      doc.setIn([...path, 0], 'nop');
      nop = true;
    }
  }
  if (nop) doc.setIn(['exporters', 'nop'], {});
  return [
    `# Kubernetes rendering by charts-ts of ${otelCollectorConfigSource}, ${off.join(' and ')} off:`,
    `# removed ${[...removed].join(', ')}; a pipeline left without an exporter exports to nop`,
    `# (the collector accepts the data and discards it).`,
    doc.toString(),
  ].join('\n');
}

/** The OpenTelemetry Collector: OTLP in, traces to Tempo, logs to Loki (when they run); no state. */
export class OtelCollector extends Construct {
  public readonly service: RenderedWorkload;

  constructor(scope: Construct, id: string, props: OtelCollectorProps) {
    super(scope, id);
    const { lab } = props;
    const component = componentOf(lab.stack, 'otel-collector');
    const off = collectorBackends.filter((backend) => !lab.enabled[backend]);
    this.service = renderWorkload(this, {
      component,
      lab,
      replicas: 1,
      storage: 'ephemeral',
      probes: { liveness: component.health, readiness: component.health, startupSeconds: 120 },
      ...(off.length > 0
        ? {
            configOverrides: {
              [otelCollectorConfigSource]: kubernetesCollectorConfig(
                readFileSync(join(lab.workspaceRoot, otelCollectorConfigSource), 'utf8'),
                off,
              ),
            },
          }
        : {}),
    });
  }
}
