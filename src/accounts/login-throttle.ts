/**
 * Failed sign-ins, counted per (e-mail, client address) with a back-off that doubles after a few
 * free mistakes. Counting per pair rather than per e-mail is what keeps an attacker from locking
 * an account: their failures slow down their own address only, never the owner's from another.
 * In memory and bounded; behind an interface so a shared backend can count across instances.
 */
import { LRUCache } from 'lru-cache';

export interface LoginThrottle {
  /**
   * Claims one attempt for this e-mail from this address: 0 when it may go ahead, else the ms to wait.
   * A claimed attempt counts as a failure at once (until `succeeded`), so concurrent guesses cannot all
   * pass a check that only saw finished ones.
   */
  attempt(email: string, address: string): number;
  /** A correct password: this address starts afresh for this e-mail. */
  succeeded(email: string, address: string): void;
  /** The attempt never reached a password check (the hashing queue was full): it does not count. */
  withdrawn(email: string, address: string): void;
}

export interface LoginThrottleOptions {
  now: () => number;
  /** Failures allowed before any wait (a few typos cost nothing). */
  freeFailures: number;
  /** The first wait; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
  /** Pairs tracked at most (the least recently failed go first). */
  maxEntries: number;
}

export const DEFAULT_LOGIN_THROTTLE: Omit<LoginThrottleOptions, 'now'> = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxEntries: 100_000,
};

interface Failures {
  count: number;
  /** No attempt before this (ms since the epoch). */
  blockedUntil: number;
  /** What it was before the last attempt set it, for an attempt withdrawn. */
  previousBlock: number;
}

export class MemoryLoginThrottle implements LoginThrottle {
  private readonly failures: LRUCache<string, Failures>;

  constructor(private readonly options: LoginThrottleOptions) {
    this.failures = new LRUCache({ max: options.maxEntries, ttl: options.forgetAfterMs, perf: { now: options.now }, ttlResolution: 0 });
  }

  attempt(email: string, address: string): number {
    const key = pairKey(email, address);
    const now = this.options.now();
    const entry = this.failures.get(key) ?? { count: 0, blockedUntil: 0, previousBlock: 0 };
    if (entry.blockedUntil > now) return entry.blockedUntil - now;
    entry.previousBlock = entry.blockedUntil;
    const { freeFailures, baseDelayMs, maxDelayMs } = this.options;
    entry.count++;
    const beyond = entry.count - freeFailures;
    // The wait applies to the attempt after this one.
    if (beyond > 0) entry.blockedUntil = now + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(beyond - 1, 30));
    this.failures.set(key, entry);
    return 0;
  }

  succeeded(email: string, address: string): void {
    this.failures.delete(pairKey(email, address));
  }

  withdrawn(email: string, address: string): void {
    const entry = this.failures.get(pairKey(email, address));
    if (!entry || entry.count === 0) return;
    entry.count--;
    entry.blockedUntil = entry.previousBlock;
  }
}

const pairKey = (email: string, address: string) => `${email}\u0000${address}`;
