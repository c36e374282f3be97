import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentOf } from '@obslab/stack';
import { Construct } from 'constructs';
import YAML from 'yaml';
import { optionalComponents, type OptionalComponent, type ResolvedLabProps } from '../lab.props.js';
import { renderWorkload, type RenderedWorkload } from '../workload.js';
import { secretEnv } from '../workload-env.js';

/** Props of {@link Grafana}. */
export interface GrafanaProps {
  readonly lab: ResolvedLabProps;
}

/** The provisioned datasources' path (below the provisioning directory the stack mounts). */
export const grafanaDatasourcesSource = 'compose/config/grafana/provisioning/datasources/datasources.yaml';

type Datasource = { uid?: string; url?: string; jsonData?: unknown };
type Path = (string | number)[];

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Grafana's datasources.yaml for Kubernetes. With every component on, the compose file unchanged.
 * With components `off`, the datasources whose URL points at one of them are removed, and so are the
 * other datasources' links to them (any `jsonData` object with their `datasourceUid`, and a list
 * left empty by that). Comments are kept; `prune: true` makes Grafana delete the removed ones.
 */
export function kubernetesGrafanaDatasources(
  composeConfig: string,
  off: readonly OptionalComponent[],
): string {
  const doc = YAML.parseDocument(composeConfig);
  if (doc.errors.length > 0)
    throw new Error(`LabChart: ${grafanaDatasourcesSource} is not valid YAML: ${doc.errors[0]!.message}`);
  const datasources = ((doc.toJSON() as { datasources?: Datasource[] }).datasources ?? []).map(
    (datasource) => ({
      ...datasource,
      removed: (off as readonly string[]).includes(hostOf(datasource.url) ?? ''),
    }),
  );
  const removedUids = new Set(datasources.flatMap((d) => (d.removed && d.uid ? [d.uid] : [])));
  if (removedUids.size === 0) return composeConfig;
  // Paths in document order, deleted from the last so that the indexes still to delete do not move;
  // the links first, while the datasources keep their indexes.
  const linkPaths: Path[] = [];
  const links = (value: unknown, path: Path): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => links(item, [...path, index]));
    } else if (typeof value === 'object' && value !== null) {
      const uid = (value as { datasourceUid?: unknown }).datasourceUid;
      if (typeof uid === 'string' && removedUids.has(uid)) linkPaths.push(path);
      else for (const [key, item] of Object.entries(value)) links(item, [...path, key]);
    }
  };
  datasources.forEach((datasource, index) => {
    if (!datasource.removed) links(datasource.jsonData, ['datasources', index, 'jsonData']);
  });
  for (const path of [...linkPaths].reverse()) doc.deleteIn(path);
  // A list whose every item was a link (exemplarTraceIdDestinations, derivedFields) goes too.
  const lists = new Map<string, Path>();
  for (const path of linkPaths) {
    const list = path.slice(0, -1);
    if (typeof path.at(-1) === 'number' && typeof list.at(-1) === 'string') lists.set(list.join('\0'), list);
  }
  for (const list of lists.values()) {
    if ((doc.getIn(list) as { items?: unknown[] } | undefined)?.items?.length === 0) doc.deleteIn(list);
  }
  for (let index = datasources.length - 1; index >= 0; index--)
    if (datasources[index]!.removed) doc.deleteIn(['datasources', index]);
  // The first datasource left keeps no blank line above it.
  const first = (doc.getIn(['datasources']) as { items?: { spaceBefore?: boolean }[] } | undefined)
    ?.items?.[0];
  if (first) first.spaceBefore = false;
  return [
    `# Kubernetes rendering by charts-ts of ${grafanaDatasourcesSource}: without the`,
    `# datasources of turned-off components (uids ${[...removedUids].join(', ')}) and the links to them.`,
    doc.toString(),
  ].join('\n');
}

/** Grafana with the provisioned datasources and dashboards; admin user and password from the admin Secret. */
export class Grafana extends Construct {
  public readonly service: RenderedWorkload;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    const { lab } = props;
    const component = componentOf(lab.stack, 'grafana');
    const off = optionalComponents.filter((c) => !lab.enabled[c]);
    this.service = renderWorkload(this, {
      component,
      lab,
      replicas: 1,
      storage: 'pvc',
      probes: { liveness: component.health, readiness: component.health, startupSeconds: 120 },
      envOverrides: {
        GF_SECURITY_ADMIN_USER: secretEnv('GF_SECURITY_ADMIN_USER', 'GRAFANA_ADMIN_USER', lab),
      },
      ...(off.length > 0
        ? {
            configOverrides: {
              [grafanaDatasourcesSource]: kubernetesGrafanaDatasources(
                readFileSync(join(lab.workspaceRoot, grafanaDatasourcesSource), 'utf8'),
                off,
              ),
            },
          }
        : {}),
    });
  }
}
