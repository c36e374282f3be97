import {
  type Attributes,
  type Context,
  context,
  propagation,
  type Span,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  type SpanProcessor,
  StackContextManager,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { RuntimeConfig } from './runtime-config.js';

export const SERVICE_NAME = 'frontend';
const tracer = trace.getTracer('@obslab/frontend');

/**
 * Starts browser tracing: a span per user action, W3C `traceparent` on every same-origin fetch
 * (the fetch instrumentation adds a CLIENT span and the header), and, when the runtime config
 * names a same-origin OTLP path, batched export there as OTLP/HTTP JSON.
 */
export function startBrowserTracing(config: RuntimeConfig): TracerProvider {
  const spanProcessors: SpanProcessor[] = [];
  if (config.otlpTracesPath !== null) {
    const exporter = new OTLPTraceExporter({
      url: new URL(config.otlpTracesPath, window.location.origin).href,
    });
    // Small batches stay well under nginx's body limit for /otlp and keepalive fetch's 64 KiB.
    spanProcessors.push(
      new BatchSpanProcessor({ exporter, maxExportBatchSize: 50, scheduledDelayMillis: 1000 }),
    );
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': SERVICE_NAME,
      'service.namespace': 'obslab',
      'browser.language': navigator.language,
    }),
    spanProcessors,
  });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new StackContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new FetchInstrumentation({
        // Same-origin requests always carry traceparent; no cross-origin URL is ever given it.
        ignoreUrls: [/\/otlp\//, /\/config\.json$/],
        clearTimingResources: true,
      }),
    ],
  });
  return provider;
}

/** What an action's work receives: its span, and the context to run requests in so they become its children. */
export interface ActionScope {
  readonly span: Span;
  readonly context: Context;
  readonly traceId: string;
}

/**
 * Runs one user action in its own span (`task.create`, `simulate.error`…). The browser has no
 * async context propagation, so the work gets the span's context explicitly and runs its
 * requests inside it (see {@link inContext}).
 */
export async function traced<T>(
  name: string,
  attributes: Attributes,
  work: (scope: ActionScope) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { attributes });
  const scope: ActionScope = {
    span,
    context: trace.setSpan(context.active(), span),
    traceId: span.spanContext().traceId,
  };
  try {
    return await work(scope);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    span.end();
  }
}

/** Calls `fn` synchronously with `ctx` active, so a fetch started inside it is a child of ctx's span. */
export function inContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}
