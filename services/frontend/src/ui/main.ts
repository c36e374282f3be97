// The page's entry point: runtime configuration first, then tracing, then the views.
import './styles.css';
import { startBrowserTracing } from './browser-tracing.js';
import { loadRuntimeConfig } from './runtime-config.js';
import { TaskManagerView } from './task-manager.view.js';
import { TelemetryActionsView } from './telemetry-actions.view.js';

const config = await loadRuntimeConfig();
startBrowserTracing(config);

const grafana = document.getElementById('grafana-link');
if (grafana instanceof HTMLAnchorElement && config.grafanaUrl) {
  grafana.href = config.grafanaUrl;
  grafana.hidden = false;
}
const where = document.getElementById('telemetry-where');
if (where)
  where.textContent = config.otlpTracesPath
    ? 'Each button is a traced user action: its trace runs from this page through nginx to the task service and its database, and on to Tempo; the trace id in the status line finds it in Grafana (Explore, Tempo).'
    : 'Each button is a traced user action: its trace context travels from this page to the task service (see the trace_id in its log lines), but nothing is exported here. Run the whole lab (npx lab up) to see the traces in Grafana.';

new TelemetryActionsView().start();
await new TaskManagerView().start();
document.body.dataset['ready'] = 'true';
