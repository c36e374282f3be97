/** Injection token of the service's {@link ServiceMetrics}. */
export const SERVICE_METRICS = Symbol('SERVICE_METRICS');
