/**
 * What every authenticated request must know about its account, without a query each time: does
 * it still exist, is it disabled, which token version is current, which tokens were signed out.
 * Cached per user for a few seconds (other instances see a change within that time) and dropped
 * at once when it changes here.
 */
import { LRUCache } from 'lru-cache';
import type { RevokedTokenRepository } from '../store/revoked-token-repository.js';
import type { UserRepository } from '../store/user-repository.js';

export interface AccountState {
  disabled: boolean;
  tokenVersion: number;
  /** Signed-out tokens (their jti) that have not expired yet. */
  revoked: ReadonlySet<string>;
}

export interface AccountStatesOptions {
  ttlMs: number;
  maxEntries: number;
  now: () => number;
}

/** `null`: the account does not exist (any more). `at`: when it was read. */
type Cached = { state: AccountState | null; at: number };

/** How long a state read last may stand in for the database while it cannot be read. */
const STALE_FOR_MS = 5 * 60_000;

export class AccountStates {
  private readonly cache: LRUCache<string, Cached>;
  private readonly loading = new Map<string, Promise<Cached>>();

  constructor(
    private readonly users: Pick<UserRepository, 'findById'>,
    private readonly revokedTokens: Pick<RevokedTokenRepository, 'active'>,
    private readonly options: AccountStatesOptions,
  ) {
    // Expired states are not served, but kept to answer from while the database is away, for a bounded time.
    this.cache = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs, noDeleteOnStaleGet: true, perf: { now: options.now }, ttlResolution: 0 });
  }

  /** The account's state, or null when it no longer exists. */
  async get(userId: string): Promise<AccountState | null> {
    const cached = this.cache.get(userId);
    if (cached) return cached.state;
    // Concurrent requests of one user share a single load.
    let load = this.loading.get(userId);
    if (!load) {
      const started: Promise<Cached> = this.load(userId).then(
        (entry) => {
          // A change made here while this load ran has invalidated it: it is served to those waiting, not kept.
          if (this.loading.get(userId) === started) {
            this.loading.delete(userId);
            this.cache.set(userId, entry);
          }
          return entry;
        },
        (err: unknown) => {
          if (this.loading.get(userId) === started) this.loading.delete(userId);
          // The database is away: the state read in the last few minutes stands until it is back.
          const stale = this.cache.get(userId, { allowStale: true });
          if (stale && this.options.now() - stale.at <= STALE_FOR_MS) return stale;
          throw err;
        },
      );
      this.loading.set(userId, started);
      load = started;
    }
    return (await load).state;
  }

  /** An account being deleted: refused from now on, whatever a load in flight reads. */
  markGone(userId: string): void {
    this.loading.delete(userId);
    this.cache.set(userId, { state: null, at: this.options.now() });
  }

  /** After a change made here (sign-out, password, disable, deletion): read it afresh next time. */
  invalidate(userId: string): void {
    this.cache.delete(userId);
    this.loading.delete(userId);
  }

  private async load(userId: string): Promise<Cached> {
    const [user, revoked] = await Promise.all([this.users.findById(userId), this.revokedTokens.active(userId, new Date(this.options.now()).toISOString())]);
    return { state: user ? { disabled: user.disabled_at !== null, tokenVersion: Number(user.token_version), revoked: new Set(revoked) } : null, at: this.options.now() };
  }
}
