// HTTP from the suite to the lab through port-forwards: JSON bodies and Prometheus instant queries.
import assert from 'node:assert/strict';

export const json = async (url: string, init?: RequestInit) => {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
};
export const promQuery = async (base: string, query: string) => {
  const { status, body } = await json(`${base}/api/v1/query?query=${encodeURIComponent(query)}`);
  assert.equal(status, 200, JSON.stringify(body));
  return (body['data'] as { result: { metric: Record<string, string>; value: [number, string] }[] }).result;
};
