/** The provisioned Grafana datasources (compose/config/grafana/provisioning/datasources), fixed uids. */
export const DATASOURCES = {
  prometheus: { type: 'prometheus', uid: 'prometheus' },
  tempo: { type: 'tempo', uid: 'tempo' },
  loki: { type: 'loki', uid: 'loki' },
} as const;

export type DatasourceName = keyof typeof DATASOURCES;
export type DatasourceRef = (typeof DATASOURCES)[DatasourceName];
