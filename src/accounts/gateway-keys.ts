/**
 * Gateway keys: issue (shown once), list, revoke, and authenticate a presented key. A lookup is
 * cached for a short while, so a request costs no database read; revocation on this instance
 * takes effect at once, on other instances within the cache's lifetime. `last_used_at` is
 * collected in memory and written in batches.
 */
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { GatewayError, invalidRequest } from '../core/errors.js';
import { gatewayKeyDisplayPrefix, gatewayKeyHash, generateGatewayKey } from '../security/gateway-key.js';
import type { GatewayKeyRepository, GatewayKeyRow } from '../store/gateway-key-repository.js';
import type { BudgetPeriod } from './budgets.js';
import { DEFAULT_SCOPES, formatScopes, type Scope } from './scopes.js';

export interface GatewayKeyServiceOptions {
  now: () => number;
  /** How long a looked-up key (or the absence of one) is trusted. */
  cacheTtlMs: number;
  defaultRateLimit: number;
  /** The operator's ceiling on a key's requests per minute (GATEWAY_KEY_MAX_RATE_LIMIT). */
  maxRateLimit: number;
  /** A key was revoked here (the other instances are told). */
  onRevoked?: (keyHash: string) => void;
  /** A key's limits changed here (the other instances are told). */
  onChanged?: (keyHash: string) => void;
}

/** A key's US-dollar budget; `maxBudgetUsd` null: none. */
export interface KeyBudgetSetting {
  maxBudgetUsd: number | null;
  period: BudgetPeriod;
}

export const MAX_ACTIVE_KEYS_PER_USER = 50;

/** How long what was read last may stand in for the database while it cannot be read. */
export const STALE_FOR_MS = 5 * 60_000;

export interface IssuedKey {
  row: GatewayKeyRow;
  /** The whole key: returned once, never stored. */
  key: string;
}

/** The stored row, or `null` for a hash no key has. */
type Lookup = GatewayKeyRow | null;

export class GatewayKeyService {
  private readonly cache: LRUCache<string, { value: Lookup; at: number }>;
  /** Hashes revoked here lately: a lookup that raced the revocation must not re-cache the key as active. */
  private readonly revoked: LRUCache<string, true>;
  private lastUsed = new Map<string, string>();

  constructor(
    private readonly repo: GatewayKeyRepository,
    private readonly options: GatewayKeyServiceOptions,
  ) {
    // Expired entries are not served, but kept to answer from while the database is away, for a bounded time.
    this.cache = new LRUCache({ max: 10_000, ttl: options.cacheTtlMs, noDeleteOnStaleGet: true, perf: { now: options.now }, ttlResolution: 0 });
    this.revoked = new LRUCache({ max: 10_000, ttl: options.cacheTtlMs * 2, perf: { now: options.now }, ttlResolution: 0 });
  }

  /** Scopes are the caller's to check: only the operator may give a key `admin`. */
  async issue(userId: string, name: string, rateLimit: number | undefined, scopes: readonly Scope[] = DEFAULT_SCOPES, budget?: KeyBudgetSetting): Promise<IssuedKey> {
    if (scopes.length === 0) throw invalidRequest("Invalid value for 'scopes': give at least one of chat, read, admin", 'scopes');
    if (rateLimit !== undefined && rateLimit > this.options.maxRateLimit) {
      throw invalidRequest(`Invalid value for 'rate_limit': at most ${this.options.maxRateLimit} requests per minute on this gateway`, 'rate_limit');
    }
    const key = generateGatewayKey();
    const row: GatewayKeyRow = {
      id: randomUUID(),
      user_id: userId,
      name,
      key_hash: gatewayKeyHash(key),
      key_prefix: gatewayKeyDisplayPrefix(key),
      rate_limit: rateLimit ?? this.options.defaultRateLimit,
      scopes: formatScopes(scopes),
      created_at: new Date(this.options.now()).toISOString(),
      last_used_at: null,
      revoked_at: null,
      max_budget_usd: budget?.maxBudgetUsd ?? null,
      budget_period: budget?.maxBudgetUsd == null ? null : budget.period,
    };
    const { created, active } = await this.repo.createWithinCap(row, MAX_ACTIVE_KEYS_PER_USER);
    if (!created) {
      throw new GatewayError({ status: 400, type: 'invalid_request_error', code: 'too_many_keys', message: `You have ${active} active gateway keys, the most a user may have; revoke one first.` });
    }
    this.cache.delete(row.key_hash);
    return { row, key };
  }

  /** The user's keys, with last-used times this instance has not written yet. */
  async list(userId: string): Promise<GatewayKeyRow[]> {
    const rows = await this.repo.listByUser(userId);
    return rows.map((r) => ({ ...r, last_used_at: this.lastUsed.get(r.id) ?? r.last_used_at }));
  }

  async revoke(userId: string, id: string): Promise<GatewayKeyRow | undefined> {
    const row = await this.repo.revoke(userId, id, new Date(this.options.now()).toISOString());
    if (row) {
      this.revokedElsewhere(row.key_hash);
      this.options.onRevoked?.(row.key_hash);
    }
    return row;
  }

  /** A key revoked (here, or by another instance): refused from now on, whatever is cached. */
  revokedElsewhere(keyHash: string): void {
    this.revoked.set(keyHash, true);
    this.cache.delete(keyHash);
  }

  /** Renames a key, or changes its rate limit or budget; undefined when the user has no such active key. */
  async update(userId: string, id: string, change: { name?: string; rateLimit?: number; budget?: KeyBudgetSetting }): Promise<GatewayKeyRow | undefined> {
    if (change.rateLimit !== undefined && change.rateLimit > this.options.maxRateLimit) {
      throw invalidRequest(`Invalid value for 'rate_limit': at most ${this.options.maxRateLimit} requests per minute on this gateway`, 'rate_limit');
    }
    const fields: Parameters<GatewayKeyRepository['update']>[2] = {};
    if (change.name !== undefined) fields.name = change.name;
    if (change.rateLimit !== undefined) fields.rate_limit = change.rateLimit;
    if (change.budget !== undefined) {
      fields.max_budget_usd = change.budget.maxBudgetUsd;
      fields.budget_period = change.budget.maxBudgetUsd === null ? null : change.budget.period;
    }
    const row = await this.repo.update(userId, id, fields);
    if (row) {
      this.forget(row.key_hash);
      this.options.onChanged?.(row.key_hash);
    }
    return row;
  }

  /** A key changed (here, or on another instance): read again on its next use. */
  forget(keyHash: string): void {
    this.cache.delete(keyHash);
  }

  /** Revokes every active key of the user; returns how many. */
  async revokeAll(userId: string): Promise<number> {
    let count = 0;
    for (const key of await this.repo.listByUser(userId)) if (key.revoked_at === null && (await this.revoke(userId, key.id))) count++;
    return count;
  }

  /** The active key a presented token names, or undefined. Marks it used. */
  async authenticate(token: string): Promise<GatewayKeyRow | undefined> {
    const hash = gatewayKeyHash(token);
    let entry = this.cache.get(hash);
    if (!entry) {
      try {
        entry = { value: (await this.repo.findByHash(hash)) ?? null, at: this.options.now() };
        this.cache.set(hash, entry);
      } catch (err) {
        // The database is away: a key seen in the last few minutes goes on working (revocations made here
        // still hold; one made elsewhere is seen once the database is back).
        const stale = this.cache.get(hash, { allowStale: true });
        if (!stale || this.options.now() - stale.at > STALE_FOR_MS) throw err;
        entry = stale;
      }
    }
    const row = entry.value;
    if (!row || row.revoked_at !== null || this.revoked.has(hash)) return undefined;
    this.lastUsed.set(row.id, new Date(this.options.now()).toISOString());
    return row;
  }

  /** Writes the collected last-used times. */
  async flushLastUsed(): Promise<void> {
    if (this.lastUsed.size === 0) return;
    const batch = this.lastUsed;
    this.lastUsed = new Map();
    try {
      await this.repo.touch(batch);
    } catch (err) {
      for (const [id, at] of batch) if (!this.lastUsed.has(id)) this.lastUsed.set(id, at);
      throw err;
    }
  }
}
