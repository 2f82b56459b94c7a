/**
 * Tokens used per user per UTC day, for the daily limit: counted from upstream usage in memory,
 * written to `daily_usage` in batches (increments, so several instances add up), and re-read
 * every few seconds so what other instances counted is seen too. A limit check never SUMs logs.
 *
 * A request reserves the tokens it may use before its upstream call, and settles the reservation
 * with what it really used: requests in flight count against the limit, so concurrent requests
 * cannot all pass a check that only saw finished ones.
 */
import type { DailyUsageRepository, UsageDelta } from '../store/daily-usage-repository.js';

/** Tokens held for one request until it settles. */
export interface TokenReservation {
  readonly held: number;
  /** Replaces the hold with the tokens the request really used (0 when it used none). Once; later calls do nothing. */
  settle(usedTokens: number): void;
}

export type ReserveResult = { granted: true; reservation: TokenReservation } | { granted: false; used: number; reserved: number };

/**
 * The daily token budget behind an interface, so a shared backend can count across instances.
 * `reserve` holds `min(want, what remains)`; it is refused only when nothing remains.
 */
export interface TokenBudget {
  reserve(userId: string, limit: number | null, want: number): Promise<ReserveResult>;
  tokensToday(userId: string): Promise<number>;
  flush(): Promise<void>;
}

export interface DailyUsageOptions {
  now: () => number;
  /** How long a counter read from the database is trusted before it is read again. */
  refreshMs: number;
  onError: (err: unknown) => void;
}

interface Entry {
  day: string;
  /** What the database said, plus batches this instance has written since. */
  base: number;
  /** Counted here, not written yet. */
  local: number;
  /** Held by requests in flight on this instance. */
  reserved: number;
  loadedAt: number;
  loading?: Promise<void> | undefined;
}

let memoDay = -1;
let memoText = '';

/** 'YYYY-MM-DD' (UTC); memoised, since every request asks and the answer changes once a day. */
export function utcDay(ms: number): string {
  const day = Math.floor(ms / 86_400_000);
  if (day !== memoDay) {
    memoDay = day;
    memoText = new Date(ms).toISOString().slice(0, 10);
  }
  return memoText;
}

/** The next UTC midnight after `ms`, when daily limits reset. */
export function nextUtcMidnight(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

export class DailyUsageCounter implements TokenBudget {
  private readonly entries = new Map<string, Entry>();
  private pending = new Map<string, UsageDelta>();
  private flushing: Promise<void> | undefined;
  /** Bumped by every flush that wrote: a read that overlapped one cannot tell whether it saw it. */
  private flushes = 0;
  /** Deleted accounts (bounded): nothing more is counted for them. */
  private readonly gone = new Set<string>();

  constructor(
    private readonly repo: DailyUsageRepository,
    private readonly options: DailyUsageOptions,
  ) {}

  private entry(userId: string, day: string): Entry {
    let entry = this.entries.get(userId);
    if (!entry || entry.day !== day) {
      entry = { day, base: 0, local: 0, reserved: 0, loadedAt: -Infinity };
      this.entries.set(userId, entry);
    }
    return entry;
  }

  /**
   * Tokens the user has used today (UTC). If the database cannot be read, the count is what this
   * instance has seen (the limit fails open, and the error is reported): a database hiccup should
   * not refuse every request.
   */
  async tokensToday(userId: string): Promise<number> {
    const now = this.options.now();
    const day = utcDay(now);
    const entry = this.entry(userId, day);
    if (now - entry.loadedAt > this.options.refreshMs) {
      const generation = this.flushes;
      entry.loading ??= this.repo
        .get(userId, day)
        .then(
          (stored) => {
            // A flush finished during the read: the read may or may not include it, so it is not used
            // (what this instance counted stands until the next read, rather than a read per request).
            if (generation === this.flushes) entry.base = stored.tokens;
            entry.loadedAt = this.options.now();
          },
          (err: unknown) => this.options.onError(err),
        )
        .finally(() => {
          entry.loading = undefined;
        });
      await entry.loading;
    }
    return entry.base + entry.local;
  }

  /**
   * Holds up to `want` tokens for a request (none when the user has no limit: it is only counted).
   * The check and the hold happen in one synchronous step after the counter is fresh, so two
   * requests never both take the last tokens.
   */
  async reserve(userId: string, limit: number | null, want: number): Promise<ReserveResult> {
    if (limit === null) return { granted: true, reservation: this.hold(userId, undefined, 0) };
    await this.tokensToday(userId);
    // Read again now, with the hold below in the same synchronous step: a request that settled while
    // the counter was being read is in these figures, not in neither.
    const entry = this.entry(userId, utcDay(this.options.now()));
    const used = entry.base + entry.local;
    const committed = used + entry.reserved;
    if (committed >= limit) return { granted: false, used, reserved: entry.reserved };
    const held = Math.max(0, Math.min(Math.ceil(want), limit - committed));
    entry.reserved += held;
    return { granted: true, reservation: this.hold(userId, entry, held) };
  }

  private hold(userId: string, entry: Entry | undefined, held: number): TokenReservation {
    let settled = false;
    return {
      held,
      settle: (usedTokens) => {
        if (settled) return;
        settled = true;
        if (entry) entry.reserved -= held;
        if (usedTokens > 0) this.add(userId, usedTokens);
      },
    };
  }

  /** An account is being deleted: what was counted for it and not written is dropped, and so is anything counted later. */
  forget(userId: string): void {
    if (this.gone.size >= 10_000) this.gone.delete(this.gone.values().next().value!);
    this.gone.add(userId);
    this.entries.delete(userId);
    for (const [key, delta] of this.pending) if (delta.userId === userId) this.pending.delete(key);
  }

  /** Counts a finished request's tokens. */
  add(userId: string, tokens: number): void {
    if (this.gone.size > 0 && this.gone.has(userId)) return;
    const day = utcDay(this.options.now());
    this.entry(userId, day).local += tokens;
    const key = `${userId}\u0000${day}`;
    const delta = this.pending.get(key);
    if (delta) {
      delta.tokens += tokens;
      delta.requests += 1;
    } else {
      this.pending.set(key, { userId, day, tokens, requests: 1 });
    }
  }

  /** Writes what was counted since the last flush; on failure keeps it for the next one. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.repo
      .add([...batch.values()])
      .then(() => {
        this.flushes++;
        for (const d of batch.values()) {
          const entry = this.entries.get(d.userId);
          if (entry && entry.day === d.day) {
            entry.local -= d.tokens;
            entry.base += d.tokens;
          }
        }
      })
      .catch((err: unknown) => {
        for (const [key, d] of batch) {
          if (this.gone.has(d.userId)) continue;
          const kept = this.pending.get(key);
          if (kept) {
            kept.tokens += d.tokens;
            kept.requests += d.requests;
          } else this.pending.set(key, d);
        }
        this.options.onError(err);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }
}
