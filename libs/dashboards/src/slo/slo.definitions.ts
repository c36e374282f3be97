/** Requests an SLO counts: every endpoint except probes and the metrics scrape itself. */
export const SLO_REQUEST_SELECTOR = 'endpoint!~"/health.*|/metrics"';

/** A service level objective over the task service's Prometheus metrics. */
export interface SloDefinition {
  /** Short name, the value of the `slo` label on every recorded series and alert. */
  readonly name: 'availability' | 'latency';
  /** Fraction of good events the objective asks for, e.g. 0.995. */
  readonly objective: number;
  /** The period the objective and the error budget are measured over. */
  readonly period: '30d';
  /** One line for people: what "good" means. */
  readonly description: string;
  /** Prefix of the alert names (`<alertPrefix>Page`, `<alertPrefix>Ticket`). */
  readonly alertPrefix: string;
  /** File name (without .md) of the runbook in compose/config/prometheus/runbooks. */
  readonly runbook: string;
  /** PromQL for the rate of bad events per `job` over a window, e.g. `[5m]`. */
  errors(window: string): string;
  /** PromQL for the rate of all counted events per `job` over a window. */
  total(window: string): string;
}

const requests = (window: string) =>
  `sum by (job) (rate(http_requests_total{${SLO_REQUEST_SELECTOR}}[${window}]))`;
const durations = (window: string) =>
  `sum by (job) (rate(http_request_duration_seconds_count{${SLO_REQUEST_SELECTOR}}[${window}]))`;

/** Availability: a request is good unless it answered 5xx. 99.5 % over 30 days. */
export const AVAILABILITY_SLO: SloDefinition = {
  name: 'availability',
  objective: 0.995,
  period: '30d',
  description: '99.5 % of requests (probes and /metrics excluded) answer without a 5xx status over 30 days',
  alertPrefix: 'AvailabilitySLOBurnRate',
  runbook: 'availability-slo-burn-rate',
  // With no 5xx series at all the sum is empty: `or` makes the error rate 0 instead of absent.
  errors: (window) =>
    `sum by (job) (rate(http_requests_total{${SLO_REQUEST_SELECTOR},status_code=~"5.."}[${window}]))` +
    ` or on (job) (0 * ${requests(window)})`,
  total: requests,
};

/** Latency: a request is good when it took under 300 ms (the histogram's 0.3 bucket). p95 < 300 ms. */
export const LATENCY_SLO: SloDefinition = {
  name: 'latency',
  objective: 0.95,
  period: '30d',
  description: '95 % of requests (probes and /metrics excluded) complete within 300 ms over 30 days',
  alertPrefix: 'LatencySLOBurnRate',
  runbook: 'latency-slo-burn-rate',
  errors: (window) =>
    `${durations(window)} - sum by (job) (rate(http_request_duration_seconds_bucket{${SLO_REQUEST_SELECTOR},le="0.3"}[${window}]))`,
  total: durations,
};

export const SLOS: readonly SloDefinition[] = [AVAILABILITY_SLO, LATENCY_SLO];

/** Windows the error ratio is recorded over (Google SRE workbook, multiwindow multi-burn-rate). */
export const SLO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];

/** One tier of burn-rate alerting: either pair of windows over its factor fires the alert. */
export interface BurnRateTier {
  readonly severity: 'page' | 'ticket';
  /** How long the condition must hold before the alert fires. */
  readonly for: string;
  readonly conditions: readonly {
    readonly factor: number;
    readonly long: SloWindow;
    readonly short: SloWindow;
  }[];
}

/**
 * Page: 2 % of a 30-day budget in 1 hour (14.4×) or 5 % in 6 hours (6×). Ticket: 10 % in 1 day (3×)
 * or 10 % in 3 days (1×). Each long window is confirmed by a short one (1/12 of it) so an alert
 * resolves soon after the burning stops.
 */
export const BURN_RATE_TIERS: readonly BurnRateTier[] = [
  {
    severity: 'page',
    for: '2m',
    conditions: [
      { factor: 14.4, long: '1h', short: '5m' },
      { factor: 6, long: '6h', short: '30m' },
    ],
  },
  {
    severity: 'ticket',
    for: '15m',
    conditions: [
      { factor: 3, long: '1d', short: '2h' },
      { factor: 1, long: '3d', short: '6h' },
    ],
  },
];

/** Where runbooks are published. The organisation and repository in it are placeholders. */
export const RUNBOOK_BASE_URL =
  'https://github.com/obslab/obslab/blob/main/compose/config/prometheus/runbooks';

/** Name of the recorded error ratio of any SLO over a window (the `slo` label tells them apart). */
export const errorRatioRecord = (window: SloWindow): string => `slo:sli_error:ratio_rate${window}`;
/** Name of the recorded remaining error budget (1 = untouched, 0 = spent, < 0 = overspent). */
export const ERROR_BUDGET_REMAINING_RECORD = 'slo:error_budget:remaining';
/** Name of the recorded objective (a constant per `slo`), so dashboards need not repeat it. */
export const OBJECTIVE_RECORD = 'slo:objective:ratio';
