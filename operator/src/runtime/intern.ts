// Many labs carry the same large ConfigMap values (dashboards, collector and Loki configs): one copy
// of each in memory instead of one per lab, per cache. Bounded: evicting only loses sharing.
const pool = new Map<string, string>();
const minLength = 1024;
const maxEntries = 512;

/** The pooled copy of `value` (long strings only). */
export function intern(value: string): string {
  if (value.length < minLength) return value;
  const pooled = pool.get(value);
  if (pooled !== undefined) return pooled;
  if (pool.size >= maxEntries) pool.delete(pool.keys().next().value!);
  pool.set(value, value);
  return value;
}

/** Interns the values of a ConfigMap's `data`, in place. */
export function internData(object: { kind?: string; [key: string]: unknown }): void {
  if (object.kind !== 'ConfigMap') return;
  const data = object['data'] as Record<string, string> | undefined;
  if (!data) return;
  for (const [key, value] of Object.entries(data)) data[key] = intern(value);
}
