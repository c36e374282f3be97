/** What the page learns at start from `/config.json`, rendered by whoever serves it (nginx or task-api). */
export interface RuntimeConfig {
  /** Same-origin path that accepts OTLP/HTTP JSON traces, or null to record spans without exporting them. */
  readonly otlpTracesPath: string | null;
  /** Where the Grafana link points; null (no link) when no Grafana is configured, as under `npm start`. */
  readonly grafanaUrl: string | null;
}

/**
 * Validates a parsed `/config.json`. Exports go to a same-origin path only (never another origin,
 * which the Content-Security-Policy would block anyway); anything else is ignored with a warning.
 */
export function parseRuntimeConfig(raw: unknown): RuntimeConfig {
  const value = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  let otlpTracesPath: string | null = null;
  if (typeof value['otlpTracesPath'] === 'string') {
    const path = value['otlpTracesPath'];
    if (path.startsWith('/') && !path.startsWith('//')) otlpTracesPath = path;
    else
      console.warn(
        `config.json: otlpTracesPath must be a same-origin path such as /otlp/v1/traces, got ${path}`,
      );
  }
  const grafana = value['grafanaUrl'];
  const grafanaUrl = typeof grafana === 'string' && /^https?:\/\//.test(grafana) ? grafana : null;
  return { otlpTracesPath, grafanaUrl };
}

/** Fetches `/config.json`; without one the page still works, exporting nothing. */
export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  try {
    const response = await fetch('/config.json', {
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return parseRuntimeConfig(await response.json());
  } catch (error) {
    console.warn(`config.json could not be loaded (${String(error)}): traces are not exported`);
    return parseRuntimeConfig({});
  }
}
