/** A span as Tempo returns it, reduced to what the checks look at. */
export interface FoundSpan {
  name: string;
  kind: string;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  name?: string;
  kind?: string | number;
  attributes?: { key: string; value: OtlpValue }[];
}
interface OtlpScope {
  spans?: OtlpSpan[];
}
interface OtlpResourceSpans {
  scopeSpans?: OtlpScope[];
  instrumentationLibrarySpans?: OtlpScope[];
}

/** Spans of a Tempo trace response, whichever shape the API version returns (`batches`, `resourceSpans`, `trace.resourceSpans`). */
export function spansOfTempoTrace(body: unknown): FoundSpan[] {
  const root = body as {
    batches?: OtlpResourceSpans[];
    resourceSpans?: OtlpResourceSpans[];
    trace?: { resourceSpans?: OtlpResourceSpans[] };
  };
  const resources = root.batches ?? root.resourceSpans ?? root.trace?.resourceSpans ?? [];
  return resources.flatMap((resource) =>
    [...(resource.scopeSpans ?? []), ...(resource.instrumentationLibrarySpans ?? [])].flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        name: span.name ?? '',
        kind: String(span.kind ?? ''),
        attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, valueOf(a.value)])),
      })),
    ),
  );
}

function valueOf(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.boolValue !== undefined) return value.boolValue;
  return value.doubleValue;
}

/** SERVER spans carry kind 2 (or SPAN_KIND_SERVER), CLIENT spans 3. */
export const isServer = (span: FoundSpan) => span.kind === '2' || span.kind === 'SPAN_KIND_SERVER';
export const isClient = (span: FoundSpan) => span.kind === '3' || span.kind === 'SPAN_KIND_CLIENT';
