import { type Span, TraceFlags } from '@opentelemetry/api';
import type { Histogram, LabelValues } from 'prom-client';

/**
 * Observes a value on a histogram created with `enableExemplars: true` (which only accepts the
 * object form), attaching `trace_id` as the exemplar when the span is recorded and sampled.
 */
export function observeWithExemplar<T extends string>(
  histogram: Histogram<T>,
  labels: LabelValues<T>,
  value: number,
  span: Span | undefined,
): void {
  let exemplarLabels: Record<string, string> = {};
  if (span?.isRecording()) {
    const { traceId, traceFlags } = span.spanContext();
    if (traceFlags & TraceFlags.SAMPLED) exemplarLabels = { trace_id: traceId };
  }
  // prom-client types exemplar labels as the metric's own label names; trace_id is the OpenMetrics convention.
  histogram.observe({ labels, value, exemplarLabels: exemplarLabels as LabelValues<T> });
}
