// Load for the PromQL checks: a mix of successes, errors and slow requests through nginx.
/** Mixed traffic through nginx until stopped: successes, 5xx errors and requests slower than the 300 ms SLO bucket. */
export function startTraffic(baseUrl: string): {
  stop(): Promise<{ sent: number; statuses: Record<number, number> }>;
} {
  let running = true;
  const statuses: Record<number, number> = {};
  let sent = 0;
  const hit = async (path: string, init?: RequestInit) => {
    try {
      const response = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    } catch {
      statuses[0] = (statuses[0] ?? 0) + 1;
    }
    sent++;
  };
  const loop = (async () => {
    while (running) {
      const round = Date.now();
      await Promise.all([
        hit('/api/tasks', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: `traffic ${round}` }),
        }),
        hit('/api/tasks?limit=5'),
        hit('/api/simulate-error'),
        hit('/api/simulate-slow?delay=0.35'),
        hit('/api/simulate-slow?delay=0.35'),
        hit('/api/tasks/999999999'),
      ]);
      await new Promise((done) => setTimeout(done, Math.max(0, 1000 - (Date.now() - round))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { sent, statuses };
    },
  };
}
