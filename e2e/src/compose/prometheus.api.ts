// Prometheus's HTTP API, reached on the container's address on the compose network.
import assert from 'node:assert/strict';

/** GET a Prometheus API path on the container's address (on the network this suite created) and parse JSON. */
export async function prometheusApi<T>(
  base: string,
  path: string,
  query: Record<string, string> = {},
): Promise<T> {
  const url = new URL(path, base);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  assert.equal(response.status, 200, `${url.pathname}: ${body.slice(0, 500)}`);
  return (JSON.parse(body) as { data: T }).data;
}

export type Sample = { metric: Record<string, string>; value: [number, string] };
export const instantQuery = (base: string, query: string) =>
  prometheusApi<{ result: Sample[] }>(base, 'api/v1/query', { query });
