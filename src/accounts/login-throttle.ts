/**
 * Failed sign-ins, counted per (e-mail, client address) with a back-off that doubles after a few
 * free mistakes. Counting per pair rather than per e-mail is what keeps an attacker from locking
 * an account: their failures slow down their own address only, never the owner's from another.
 * In memory and bounded; behind an interface so a shared backend can count across instances.
 */
import { LRUCache } from 'lru-cache';

export interface LoginThrottle {
  /** 0 when a sign-in for this e-mail from this address may be tried now, else the ms to wait. */
  waitMs(email: string, address: string): number;
  /** A wrong password (or unknown e-mail): the next attempt may have to wait. */
  failed(email: string, address: string): void;
  /** A correct password: this address starts afresh for this e-mail. */
  succeeded(email: string, address: string): void;
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
}

export class MemoryLoginThrottle implements LoginThrottle {
  private readonly failures: LRUCache<string, Failures>;

  constructor(private readonly options: LoginThrottleOptions) {
    this.failures = new LRUCache({ max: options.maxEntries, ttl: options.forgetAfterMs, perf: { now: options.now }, ttlResolution: 0 });
  }

  waitMs(email: string, address: string): number {
    const entry = this.failures.get(pairKey(email, address));
    return entry === undefined ? 0 : Math.max(0, entry.blockedUntil - this.options.now());
  }

  failed(email: string, address: string): void {
    const key = pairKey(email, address);
    const { freeFailures, baseDelayMs, maxDelayMs } = this.options;
    const entry = this.failures.get(key) ?? { count: 0, blockedUntil: 0 };
    entry.count++;
    const beyond = entry.count - freeFailures;
    if (beyond > 0) entry.blockedUntil = this.options.now() + Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(beyond - 1, 30));
    this.failures.set(key, entry);
  }

  succeeded(email: string, address: string): void {
    this.failures.delete(pairKey(email, address));
  }
}

const pairKey = (email: string, address: string) => `${email}\u0000${address}`;
