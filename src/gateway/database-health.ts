/**
 * Whether the database is taking writes, as the gateway's own writes last found it: a session write
 * or a log batch that failed for the database's sake (not a row's) marks it failing, the next one
 * that succeeds clears it. Requests that must store something are refused while it fails (before any
 * provider is called), and /health says so. Pure apart from the clock.
 */
export class DatabaseHealth {
  private failingSince: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  writeFailed(): void {
    this.failingSince ??= this.now();
  }

  writeSucceeded(): void {
    this.failingSince = undefined;
  }

  /** Since when writes have been failing (ms since the epoch), or undefined while they go through. */
  get failingSinceMs(): number | undefined {
    return this.failingSince;
  }
}
