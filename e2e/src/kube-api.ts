import { ApiException } from '@kubernetes/client-node';

/** Status code and message of a rejected Kubernetes API call. */
export interface ApiRejection {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

/** Awaits `call`, expecting the API server to reject it; returns the status it answered. */
export async function rejectionOf(call: Promise<unknown>): Promise<ApiRejection> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) {
      const body: unknown = typeof error.body === 'string' ? safeJson(error.body) : error.body;
      const status = (body ?? {}) as { reason?: string; message?: string };
      return { code: error.code, reason: status.reason ?? '', message: status.message ?? String(error.body) };
    }
    throw error;
  }
  throw new Error('expected the API server to reject the request, but it was accepted');
}

/** Whether `call` fails with 404 Not Found (other errors are rethrown). */
export async function isNotFound(call: Promise<unknown>): Promise<boolean> {
  try {
    await call;
    return false;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return true;
    throw error;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
