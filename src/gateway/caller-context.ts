/**
 * What a caller's request runs with: their settings (`user_config`), the provider credentials
 * they may use (their own keys, and the operator's when the operator allows it) and their daily
 * token budget. Cached per user for a few seconds, and dropped at once when they change it here.
 */
import type { Budget, BudgetPeriod } from '../accounts/budgets.js';
import type { ProviderCredentials, ProviderId } from '../providers/types.js';
import type { Target } from '../routing/cascade.js';
import { open as openSecret, providerKeyAad, SecretBoxError } from '../security/secret-box.js';
import type { ProviderKeyRepository } from '../store/provider-key-repository.js';
import type { UserConfigRepository } from '../store/user-config-repository.js';
import type { UserRepository } from '../store/user-repository.js';
import { LRUCache } from 'lru-cache';
import { STALE_FOR_MS } from '../accounts/gateway-keys.js';
import { isOperatorAccount, type Caller } from './caller.js';
import { nextUtcMidnight, type TokenBudget, type TokenReservation } from '../accounts/daily-usage.js';
import { GatewayError } from '../core/errors.js';

export type Credentials = Partial<Record<ProviderId, ProviderCredentials>>;

export interface CallerContext {
  memoryMessages: number;
  defaultModel: string | undefined;
  routePolicy: string;
  /** The user's own limit, capped by the operator's USER_DAILY_TOKEN_LIMIT; null = none. */
  dailyTokenLimit: number | null;
  /** US-dollar budgets on the user: their own, and the operator's ceiling (USER_MAX_BUDGET_USD). */
  budgets: Budget[];
  credentials: Credentials;
  /** Providers this caller reaches with the operator's keys though it is not the operator: their upstream error texts are not shown to it. */
  sharedProviders: ReadonlySet<ProviderId>;
  /** Providers whose stored key cannot be decrypted (the master key changed or is gone), and why. */
  unreadable: Partial<Record<ProviderId, string>>;
  /** Whether `unreadable` has any entry (checked on every request). */
  hasUnreadable: boolean;
}

export interface CallerContextDeps {
  configs: UserConfigRepository;
  /** The account: the operator's own daily limit for this user, when set. */
  users: Pick<UserRepository, 'findById'>;
  providerKeys: ProviderKeyRepository;
  usage: TokenBudget;
  /** The environment's keys: the operator's, and everyone's when `usersMayUseOperatorKeys`. */
  operatorCredentials: Credentials;
  usersMayUseOperatorKeys: boolean;
  /** Base URLs of every provider, for users' own keys. */
  baseUrls: Record<ProviderId, string>;
  masterKey: string | undefined;
  defaultMemoryMessages: number;
  /** The operator's ceiling on users' tokens per day (not the operator's own), unless set per user. */
  userDailyTokenLimit: number | undefined;
  userBudgetCeiling?: { maxBudgetUsd: number; period: BudgetPeriod } | undefined;
  now: () => number;
  cacheTtlMs: number;
  /** Users whose context is kept at once (it holds their decrypted keys: bounded, and gone after the TTL). */
  maxCached?: number;
  /** The database could not be read (told once per failed load). */
  onError?: (err: unknown) => void;
}

/** The database cannot be read, so a user's settings and keys cannot be: try again shortly. */
export const databaseUnavailable = () =>
  new GatewayError({
    status: 503,
    type: 'service_unavailable',
    code: 'database_unavailable',
    message: 'The gateway cannot reach its database right now; try again shortly.',
    headers: { 'retry-after': '2' },
  });

/** Raised when the only providers a request could use have stored keys that cannot be read. */
export const unreadableKeys = (reasons: Partial<Record<ProviderId, string>>) =>
  new GatewayError({
    status: 500,
    type: 'server_error',
    code: 'provider_key_unreadable',
    message: `Your stored provider keys could not be used: ${Object.entries(reasons)
      .map(([provider, why]) => `${provider}: ${why}`)
      .join('; ')}. Store them again (POST /api/keys/providers) or ask the operator.`,
  });

export class CallerContexts {
  private readonly cache: LRUCache<string, { ctx: CallerContext; at: number }>;

  constructor(private readonly deps: CallerContextDeps) {
    // Bounded, and purged on their own timer: they hold decrypted provider keys. An expired context is
    // served only while the database cannot be read, for at most STALE_FOR_MS after it expired.
    this.cache = new LRUCache({ max: deps.maxCached ?? 10_000, ttl: deps.cacheTtlMs + STALE_FOR_MS, ttlAutopurge: true, perf: { now: deps.now }, ttlResolution: 0 });
  }

  /** Bumped by every invalidation: a load that started before one must not cache what it read. */
  private generation = 0;

  async resolve(caller: Caller): Promise<CallerContext> {
    const cached = this.cache.get(caller.userId);
    if (cached && this.deps.now() - cached.at < this.deps.cacheTtlMs) return cached.ctx;
    const generation = this.generation;
    let ctx: CallerContext;
    try {
      ctx = await this.load(caller);
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      // The database is away: the context read in the last few minutes goes on; without one, the operator's
      // requests go on with the defaults (and the operator's keys), while a user's cannot be known.
      this.deps.onError?.(err);
      if (cached) return cached.ctx;
      if (isOperatorAccount(caller)) return this.operatorDefaults();
      throw databaseUnavailable();
    }
    if (generation === this.generation) this.cache.set(caller.userId, { ctx, at: this.deps.now() });
    return ctx;
  }

  private operatorDefaults(): CallerContext {
    return {
      memoryMessages: this.deps.defaultMemoryMessages,
      defaultModel: undefined,
      routePolicy: 'cascade',
      dailyTokenLimit: null,
      budgets: [],
      credentials: this.deps.operatorCredentials,
      sharedProviders: new Set(),
      unreadable: {},
      hasUnreadable: false,
    };
  }

  /** After the user changes their settings or keys on this instance. */
  invalidate(userId: string): void {
    this.generation++;
    this.cache.delete(userId);
  }

  /**
   * Holds up to `want` tokens of the user's daily budget for one request, or refuses it (429,
   * saying which limit and until when) once the tokens used and held by requests in flight reach it.
   */
  async reserveTokens(caller: Caller, ctx: CallerContext, want: number): Promise<TokenReservation> {
    const limit = ctx.dailyTokenLimit;
    const outcome = await this.deps.usage.reserve(caller.userId, limit, want);
    if (outcome.granted) return outcome.reservation;
    const now = this.deps.now();
    const reset = nextUtcMidnight(now);
    const resetIso = new Date(reset).toISOString();
    // What is left is held by this user's requests in flight: it frees as they finish.
    const heldNow = outcome.used < (limit ?? 0);
    throw new GatewayError({
      status: 429,
      type: 'rate_limit_error',
      code: 'daily_token_limit_exceeded',
      message: heldNow
        ? `Daily token limit reached: ${outcome.used} of ${limit} tokens used today and the other ${outcome.reserved} held by your requests in flight; try again when they finish. It resets at ${resetIso} (midnight UTC).`
        : `Daily token limit reached: ${outcome.used} of ${limit} tokens used today. It resets at ${resetIso} (midnight UTC).`,
      headers: {
        'retry-after': heldNow ? '1' : String(Math.ceil((reset - now) / 1000)),
        'x-ratelimit-limit-tokens': String(limit),
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': resetIso,
      },
    });
  }

  private async load(caller: Caller): Promise<CallerContext> {
    const operator = isOperatorAccount(caller);
    const [config, ownKeys, account] = await Promise.all([
      this.deps.configs.get(caller.userId),
      operator ? Promise.resolve([]) : this.deps.providerKeys.listByUser(caller.userId),
      operator ? Promise.resolve(undefined) : this.deps.users.findById(caller.userId),
    ]);
    // An account deleted after this request was authenticated (its body still arriving): nothing more of it runs.
    if (!operator && account === undefined) throw new GatewayError({ status: 401, type: 'invalid_request_error', code: 'invalid_api_key', message: 'This account no longer exists.' });
    const shared = operator || this.deps.usersMayUseOperatorKeys ? this.deps.operatorCredentials : {};
    const credentials: Credentials = { ...shared };
    const unreadable: CallerContext['unreadable'] = {};
    for (const row of ownKeys) {
      if (row.status !== 'valid') continue;
      const provider = row.provider as ProviderId;
      if (this.deps.masterKey === undefined) {
        unreadable[provider] = 'the gateway has no MASTER_ENCRYPTION_KEY any more';
        continue;
      }
      try {
        credentials[provider] = { apiKey: openSecret(this.deps.masterKey, row.ciphertext, providerKeyAad(row.user_id, row.provider)), baseUrl: this.deps.baseUrls[provider] };
      } catch (err) {
        if (!(err instanceof SecretBoxError)) throw err;
        unreadable[provider] = err.message;
      }
    }
    const sharedProviders = new Set<ProviderId>();
    if (!operator) for (const provider of Object.keys(shared) as ProviderId[]) if (credentials[provider] === shared[provider]) sharedProviders.add(provider);
    const own = config?.daily_token_limit ?? null;
    const perUser = account?.daily_token_limit ?? null;
    const cap = operator ? undefined : perUser !== null ? Number(perUser) : this.deps.userDailyTokenLimit;
    const budgets: Budget[] = [];
    if (config?.max_budget_usd != null) budgets.push({ scope: `user:${caller.userId}`, limitUsd: Number(config.max_budget_usd), period: (config.budget_period as BudgetPeriod | null) ?? null });
    const ceiling = this.deps.userBudgetCeiling;
    if (ceiling && !operator) budgets.push({ scope: `user-cap:${caller.userId}`, limitUsd: ceiling.maxBudgetUsd, period: ceiling.period });
    return {
      budgets,
      memoryMessages: config?.memory_messages ?? this.deps.defaultMemoryMessages,
      defaultModel: config?.default_model ?? undefined,
      routePolicy: config?.route_policy ?? 'cascade',
      dailyTokenLimit: cap === undefined ? own : own === null ? cap : Math.min(own, cap),
      credentials,
      sharedProviders,
      unreadable,
      hasUnreadable: Object.keys(unreadable).length > 0,
    };
  }
}

/**
 * Stored keys that cannot be decrypted: fatal when no target of the plan has credentials left
 * (the caller would otherwise read a misleading "no provider"), a warning when others can answer.
 */
export function unreadableWarnings(targets: readonly Target[], ctx: CallerContext): string[] {
  if (!ctx.hasUnreadable) return [];
  const affected = [...new Set(targets.map((t) => t.provider))].filter((p) => ctx.unreadable[p] !== undefined && ctx.credentials[p] === undefined);
  if (affected.length === 0) return [];
  if (targets.every((t) => ctx.credentials[t.provider] === undefined)) {
    throw unreadableKeys(Object.fromEntries(affected.map((p) => [p, ctx.unreadable[p]])));
  }
  return affected.map((p) => `your stored ${p} key could not be decrypted, so ${p} was skipped`);
}
