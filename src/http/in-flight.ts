/**
 * The chat requests in flight, each with the signal that cancels its upstream work: the caller
 * leaving, the request's deadline, or a shutdown that has waited long enough.
 */
export class InFlightRequests {
  private readonly controllers = new Set<AbortController>();

  get size(): number {
    return this.controllers.size;
  }

  /** Starts tracking a request; `dispose()` must be called when it ends. */
  begin(deadlineMs: number): { signal: AbortSignal; controller: AbortController; dispose(): void } {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('the request deadline passed', 'TimeoutError')), deadlineMs);
    this.controllers.add(controller);
    return {
      signal: controller.signal,
      controller,
      dispose: () => {
        clearTimeout(timer);
        this.controllers.delete(controller);
      },
    };
  }

  /** Cancels everything still running (shutdown after the grace period). */
  abortAll(): void {
    for (const c of this.controllers) c.abort(new DOMException('the gateway is shutting down', 'AbortError'));
  }
}
