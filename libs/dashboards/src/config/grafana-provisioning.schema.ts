// Grafana's file provisioning format (Administration › Provisioning: data sources and dashboard
// providers, apiVersion 1), as strict schemas: an unknown or misspelled key is an error, as are
// wrong types. Only the jsonData keys the lab uses are modelled per datasource type; a key Grafana
// does not know would be silently ignored by Grafana, so here it fails. References between
// datasources (exemplars → traces, traces → logs/metrics, logs → traces) are resolved separately.
import { z } from 'zod';

const uid = z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/, 'a datasource uid: 1-40 letters, digits, - or _');
/** Grafana time shifts such as `-5m`, `1h`. */
const timeShift = z.string().regex(/^-?\d+(ms|s|m|h|d)$/);
const tag = z.strictObject({ key: z.string().min(1), value: z.string().min(1).optional() });

const prometheusJsonData = z.strictObject({
  httpMethod: z.enum(['GET', 'POST']),
  prometheusType: z.enum(['Prometheus', 'Cortex', 'Mimir', 'Thanos']),
  timeInterval: z.string().regex(/^\d+(ms|s|m|h)$/),
  exemplarTraceIdDestinations: z.array(
    z.strictObject({ name: z.string().min(1), datasourceUid: uid, urlDisplayLabel: z.string().optional() }),
  ),
});

const tempoJsonData = z.strictObject({
  tracesToLogsV2: z.strictObject({
    datasourceUid: uid,
    spanStartTimeShift: timeShift,
    spanEndTimeShift: timeShift,
    filterByTraceID: z.boolean(),
    filterBySpanID: z.boolean(),
    tags: z.array(tag),
  }),
  tracesToMetrics: z.strictObject({
    datasourceUid: uid,
    spanStartTimeShift: timeShift,
    spanEndTimeShift: timeShift,
    tags: z.array(tag),
    queries: z.array(z.strictObject({ name: z.string().min(1), query: z.string().min(1) })),
  }),
  serviceMap: z.strictObject({ datasourceUid: uid }),
  nodeGraph: z.strictObject({ enabled: z.boolean() }),
  lokiSearch: z.strictObject({ datasourceUid: uid }),
  search: z.strictObject({ hide: z.boolean() }),
  traceQuery: z.strictObject({
    timeShiftEnabled: z.boolean(),
    spanStartTimeShift: timeShift,
    spanEndTimeShift: timeShift,
  }),
  streamingEnabled: z.strictObject({ search: z.boolean(), metrics: z.boolean().optional() }),
});

const lokiJsonData = z.strictObject({
  maxLines: z.number().int().positive(),
  derivedFields: z.array(
    z.strictObject({
      name: z.string().min(1),
      matcherType: z.enum(['regex', 'label']),
      matcherRegex: z.string().min(1),
      datasourceUid: uid,
      url: z.string().min(1),
      urlDisplayLabel: z.string().optional(),
    }),
  ),
});

const datasourceBase = {
  name: z.string().min(1),
  uid,
  access: z.enum(['proxy', 'direct']),
  url: z.url(),
  orgId: z.number().int().positive().optional(),
  isDefault: z.boolean().optional(),
  editable: z.boolean().optional(),
  version: z.number().int().optional(),
};

export const datasourceProvisioningSchema = z.strictObject({
  apiVersion: z.literal(1),
  prune: z.boolean().optional(),
  deleteDatasources: z.array(z.strictObject({ name: z.string(), orgId: z.number().int() })).optional(),
  datasources: z.array(
    z.discriminatedUnion('type', [
      z.strictObject({ ...datasourceBase, type: z.literal('prometheus'), jsonData: prometheusJsonData }),
      z.strictObject({ ...datasourceBase, type: z.literal('tempo'), jsonData: tempoJsonData }),
      z.strictObject({ ...datasourceBase, type: z.literal('loki'), jsonData: lokiJsonData }),
    ]),
  ),
});
export type DatasourceProvisioning = z.infer<typeof datasourceProvisioningSchema>;

export const dashboardProvisioningSchema = z.strictObject({
  apiVersion: z.literal(1),
  providers: z.array(
    z.strictObject({
      name: z.string().min(1),
      orgId: z.number().int().positive().optional(),
      folder: z.string().optional(),
      folderUid: z.string().optional(),
      type: z.literal('file'),
      disableDeletion: z.boolean().optional(),
      allowUiUpdates: z.boolean().optional(),
      updateIntervalSeconds: z.number().int().positive().optional(),
      options: z.strictObject({
        path: z.string().startsWith('/'),
        foldersFromFilesStructure: z.boolean().optional(),
      }),
    }),
  ),
});

/** A link from one datasource to another: where it is, the uid it names, the type it must have. */
export interface DatasourceLink {
  readonly at: string;
  readonly uid: string;
  readonly type: 'prometheus' | 'tempo' | 'loki';
}

/** Every link from one datasource to another. */
export function datasourceLinks(provisioning: DatasourceProvisioning): DatasourceLink[] {
  return provisioning.datasources.flatMap((ds): DatasourceLink[] => {
    switch (ds.type) {
      case 'prometheus':
        return ds.jsonData.exemplarTraceIdDestinations.map((d, i) => ({
          at: `${ds.uid}.exemplarTraceIdDestinations[${i}]`,
          uid: d.datasourceUid,
          type: 'tempo',
        }));
      case 'tempo':
        return [
          { at: `${ds.uid}.tracesToLogsV2`, uid: ds.jsonData.tracesToLogsV2.datasourceUid, type: 'loki' },
          {
            at: `${ds.uid}.tracesToMetrics`,
            uid: ds.jsonData.tracesToMetrics.datasourceUid,
            type: 'prometheus',
          },
          { at: `${ds.uid}.serviceMap`, uid: ds.jsonData.serviceMap.datasourceUid, type: 'prometheus' },
          { at: `${ds.uid}.lokiSearch`, uid: ds.jsonData.lokiSearch.datasourceUid, type: 'loki' },
        ];
      case 'loki':
        return ds.jsonData.derivedFields.map((f, i) => ({
          at: `${ds.uid}.derivedFields[${i}] (${f.name})`,
          uid: f.datasourceUid,
          type: 'tempo',
        }));
    }
  });
}
