import { traced } from './browser-tracing.js';
import { ApiError, tasksApi } from './tasks.client.js';

/**
 * The buttons that make interesting telemetry on purpose: a failing request, a slow one and a
 * burst of database work. Each is a span; its result and trace id are announced in an aria-live
 * region.
 */
export class TelemetryActionsView {
  private readonly result: HTMLOutputElement;

  constructor() {
    const result = document.getElementById('telemetry-result');
    if (!(result instanceof HTMLOutputElement))
      throw new Error('index.html has no <output id="telemetry-result">');
    this.result = result;
  }

  start(): void {
    this.bind('simulate-error', 'simulate.error', async (ctx) => {
      await tasksApi.simulateError(ctx);
      return 'The API answered without an error: unexpected.';
    });
    this.bind('simulate-slow', 'simulate.slow', async (ctx) => {
      const answer = await tasksApi.simulateSlow(ctx, 2);
      return `The API ${answer.message}.`;
    });
    this.bind('smoke-db', 'smoke.db', async (ctx) => {
      const answer = await tasksApi.smokeDb(ctx, 500, 'rw');
      return `${answer.performed.read} reads and ${answer.performed.write} writes in ${answer.duration_ms} ms, rolled back.`;
    });
  }

  private bind(
    id: string,
    spanName: string,
    work: (ctx: Parameters<typeof tasksApi.list>[0]) => Promise<string>,
  ): void {
    const button = document.getElementById(id);
    if (!(button instanceof HTMLButtonElement)) throw new Error(`index.html has no <button id="${id}">`);
    button.addEventListener('click', () => {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      this.show(`${button.textContent ?? id}: waiting…`, '', false);
      let traceId = '';
      void traced(spanName, {}, async (scope) => {
        traceId = scope.traceId;
        return work(scope.context);
      })
        .then(
          (message) => this.show(message, traceId, false),
          (error: unknown) => {
            const text =
              error instanceof ApiError
                ? `${error.message} (status ${error.status}): the span is marked as an error`
                : String(error);
            this.show(text, traceId, true);
          },
        )
        .finally(() => {
          button.disabled = false;
          button.removeAttribute('aria-busy');
        });
    });
  }

  private show(message: string, traceId: string, isError: boolean): void {
    this.result.replaceChildren();
    const text = document.createElement('span');
    text.textContent = message;
    this.result.append(text);
    if (traceId) {
      const id = document.createElement('code');
      id.textContent = `trace ${traceId}`;
      this.result.append(' ', id);
    }
    this.result.dataset['traceId'] = traceId;
    this.result.classList.toggle('error', isError);
  }
}
