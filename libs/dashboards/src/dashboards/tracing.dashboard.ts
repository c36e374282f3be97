import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as nodeGraph from '@grafana/grafana-foundation-sdk/nodegraph';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as tempo from '@grafana/grafana-foundation-sdk/tempo';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCES } from '../datasources.js';
import { at, numberPanels, promQuery } from './panel.helpers.js';

export const TRACING_DASHBOARD_UID = 'obslab-tracing';

function traceSearch(title: string, description: string, query: string, pos: dashboard.GridPos) {
  return new table.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCES.tempo)
    .withTarget(
      new tempo.DataqueryBuilder()
        .datasource(DATASOURCES.tempo)
        .refId('A')
        .queryType(tempo.TempoQueryType.Traceql)
        .query(query)
        .limit(20)
        .tableType(tempo.SearchTableType.Traces),
    )
    .gridPos(pos);
}

/** End-to-end tracing: trace search, the service graph, error traces and the correlated logs. */
export function buildTracingDashboard(): dashboard.Dashboard {
  const service = new dashboard.CustomVariableBuilder('service')
    .label('Service')
    .description('service.name of the traces and logs (resource attribute; service_name label in Loki)')
    .values('task-api,frontend')
    .current({ text: 'task-api', value: 'task-api' });

  const built = new dashboard.DashboardBuilder('obslab — end-to-end tracing')
    .uid(TRACING_DASHBOARD_UID)
    .description(
      "Traces from Tempo (TraceQL), the service graph from Tempo's metrics-generator, and the " +
        'logs of the same service from Loki; trace ids link logs and traces both ways.',
    )
    .tags(['obslab', 'tracing'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .withVariable(service)
    .withPanel(
      traceSearch(
        'Recent traces',
        'TraceQL search; click a trace id to open it in Tempo.',
        '{resource.service.name="$service"}',
        at(0, 0, 12, 10),
      ),
    )
    .withPanel(
      new nodeGraph.PanelBuilder()
        .title('Service graph')
        .description(
          "From the traces_service_graph_* metrics Tempo's metrics-generator writes to Prometheus.",
        )
        .datasource(DATASOURCES.tempo)
        .withTarget(
          new tempo.DataqueryBuilder()
            .datasource(DATASOURCES.tempo)
            .refId('A')
            .queryType(tempo.TempoQueryType.ServiceMap),
        )
        .gridPos(at(12, 0, 12, 10)),
    )
    .withPanel(
      traceSearch(
        'Recent error traces',
        'Traces with a span whose status is error (e.g. GET /api/simulate-error).',
        '{resource.service.name="$service" && status=error}',
        at(0, 10, 12, 10),
      ),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Span rate by span name')
        .description("From Tempo's span metrics (traces_spanmetrics_calls_total).")
        .datasource(DATASOURCES.prometheus)
        .withTarget(
          promQuery(
            'sum by (span_name) (rate(traces_spanmetrics_calls_total{service="$service"}[$__rate_interval]))',
            '{{span_name}}',
          ),
        )
        .unit('reqps')
        .gridPos(at(12, 10, 12, 10)),
    )
    .withPanel(
      new logs.PanelBuilder()
        .title('Logs')
        .description("The service's logs in Loki; the trace_id field links to the trace in Tempo.")
        .datasource(DATASOURCES.loki)
        .withTarget(
          new loki.DataqueryBuilder()
            .datasource(DATASOURCES.loki)
            .refId('A')
            .expr('{service_name="$service"}')
            .maxLines(500),
        )
        .showTime(true)
        .wrapLogMessage(true)
        .enableLogDetails(true)
        .sortOrder(common.LogsSortOrder.Descending)
        .dedupStrategy(common.LogsDedupStrategy.None)
        .gridPos(at(0, 20, 24, 12)),
    )
    .build();
  return numberPanels(built);
}
