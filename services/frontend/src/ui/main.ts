// The page's entry point: runtime configuration first, then tracing, then the views.
import './styles.css';
import { startBrowserTracing } from './browser-tracing.js';
import { loadRuntimeConfig } from './runtime-config.js';
import { TaskManagerView } from './task-manager.view.js';
import { TelemetryActionsView } from './telemetry-actions.view.js';

const config = await loadRuntimeConfig();
startBrowserTracing(config);

const grafana = document.getElementById('grafana-link');
if (grafana instanceof HTMLAnchorElement) grafana.href = config.grafanaUrl;

new TelemetryActionsView().start();
await new TaskManagerView().start();
document.body.dataset['ready'] = 'true';
