/**
 * Whether shared state is reachable, as its callers find out: the first failure and the recovery are
 * each reported once (logged, counted), not once per request.
 */
export class SharedStateFallback {
  degraded = false;
  /** Calls answered locally (or refused) because Redis failed. */
  fallbacks = 0;

  constructor(private readonly onChange: (degraded: boolean, err?: unknown) => void = () => undefined) {}

  failed(err: unknown): void {
    this.fallbacks++;
    if (this.degraded) return;
    this.degraded = true;
    this.onChange(true, err);
  }

  succeeded(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.onChange(false);
  }
}
