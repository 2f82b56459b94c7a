/**
 * Provider health, per (provider, model): a rolling window of outcomes, a latency EWMA and a
 * circuit breaker; cool-downs for rate limits and spent quotas; and OpenRouter's free-tier quota,
 * counted so an exhausted free tier is skipped without a wasted call. Pure state driven by the
 * clock it is given; the executor reports outcomes, the router reads views.
 *
 * Circuit: closed → open after `failureThreshold` consecutive retryable failures, or an error rate
 * above `errorRateThreshold` over at least `minSamples` outcomes; open → half-open after
 * `openMs` (one probe request goes through); the probe's success closes it, its failure reopens it.
 * A request the upstream refused as malformed (400/413/422) says nothing about its health.
 */
import type { UpstreamError } from '../providers/errors.js';
import type { ProviderId } from '../providers/types.js';
import type { AttemptObserver } from './attempt-observer.js';
import type { TargetHealthView } from './scoring.js';
import { PROVIDER_DEFINITIONS } from '../providers/definitions.js';

export interface HealthOptions {
  window: number;
  failureThreshold: number;
  errorRateThreshold: number;
  minSamples: number;
  openMs: number;
  ewmaAlpha: number;
  /** OpenRouter's free models: requests per minute and per day (50, or 1,000 once credits were bought). */
  freeTier: { perMinute: number; perDay: number };
}

export const DEFAULT_HEALTH_OPTIONS: HealthOptions = {
  window: 20,
  failureThreshold: 5,
  errorRateThreshold: 0.5,
  minSamples: 10,
  openMs: 30_000,
  ewmaAlpha: 0.2,
  freeTier: { perMinute: 20, perDay: 50 },
};

export type CircuitState = 'closed' | 'open' | 'half_open';

interface TargetState {
  outcomes: boolean[];
  consecutiveFailures: number;
  circuit: 'closed' | 'open';
  openedAt: number;
  /** When the half-open probe went out (0: none); a probe that never reports back is forgotten after `openMs`. */
  probeAt: number;
  latencyMs: number | undefined;
  coolUntil: number;
  coolReason: string | undefined;
  lastError: string | undefined;
}

export interface TargetReport {
  provider: ProviderId;
  model: string;
  circuit: CircuitState;
  available: boolean;
  reason: string | null;
  success_rate: number;
  samples: number;
  consecutive_failures: number;
  latency_ms: number | null;
  cooling_until: string | null;
  last_error: string | null;
}

/** How long a model its upstream says does not exist stays out of plans. */
export const NOT_FOUND_COOL_MS = 60 * 60_000;
const MODEL_NOT_FOUND_UPSTREAM = 'model not found upstream';

const DAY_MS = 86_400_000;
/** Catalog models and a margin: beyond this, caller-invented model names are not tracked. */
const MAX_TRACKED_TARGETS = 1_000;

/** A model drawn from its provider's shared free quota (OpenRouter's free tier), by the provider's definition. */
const isFreeModel = (provider: ProviderId, model: string) => PROVIDER_DEFINITIONS[provider].freeTierModel?.(model) === true;

/** When a provider's spent per-day quota comes back: its definition says (Gemini's: midnight in Los Angeles), else UTC midnight. */
const dailyQuotaResetsAt = (provider: ProviderId, now: number) => PROVIDER_DEFINITIONS[provider].dailyQuotaResetsAt?.(now) ?? (Math.floor(now / DAY_MS) + 1) * DAY_MS;

/** Cool-downs one instance learns of, for the others (several instances sharing a Redis). */
export interface CoolingListener {
  /** A target is resting until `until` (ms since the epoch), for `reason`. */
  cooled(provider: ProviderId, model: string, until: number, reason: string): void;
  /** OpenRouter's free tier is spent until `until`. */
  freeTierSpent(until: number): void;
}

export class HealthTracker implements AttemptObserver {
  /** Told of every cool-down this instance decides (not of those it is told of). */
  listener: CoolingListener | undefined;

  /** provider → model → state: no key strings built per call. */
  private readonly targets = new Map<ProviderId, Map<string, TargetState>>();
  private size = 0;
  /** Minutes and days as numbers since the epoch (UTC): no date strings on the request path. */
  private free = { minute: -1, perMinute: 0, day: -1, perDay: 0, exhaustedUntil: 0 };

  constructor(
    private readonly now: () => number,
    private readonly options: HealthOptions = DEFAULT_HEALTH_OPTIONS,
  ) {}

  private find(provider: ProviderId, model: string): TargetState | undefined {
    return this.targets.get(provider)?.get(model);
  }

  /** Bounded: model names come from callers, so past the cap new targets are not tracked. */
  private state(provider: ProviderId, model: string): TargetState | undefined {
    let models = this.targets.get(provider);
    if (!models) {
      models = new Map();
      this.targets.set(provider, models);
    }
    let s = models.get(model);
    if (!s) {
      if (this.size >= MAX_TRACKED_TARGETS) return undefined;
      this.size++;
      s = { outcomes: [], consecutiveFailures: 0, circuit: 'closed', openedAt: 0, probeAt: 0, latencyMs: undefined, coolUntil: 0, coolReason: undefined, lastError: undefined };
      models.set(model, s);
    }
    return s;
  }

  /** A call is about to go out: counts the free tier's quota, and takes a half-open circuit's probe. */
  beforeCall(provider: ProviderId, model: string): void {
    this.claimProbe(provider, model);
    if (!isFreeModel(provider, model)) return;
    const now = this.now();
    const minute = Math.floor(now / 60_000);
    const day = Math.floor(now / DAY_MS);
    if (minute !== this.free.minute) Object.assign(this.free, { minute, perMinute: 0 });
    if (day !== this.free.day) Object.assign(this.free, { day, perDay: 0 });
    this.free.perMinute++;
    this.free.perDay++;
  }

  recordSuccess(provider: ProviderId, model: string, latencyMs: number, headers?: Record<string, string | string[] | undefined>): void {
    if (headers && isFreeModel(provider, model)) this.readFreeTierHeaders(headers);
    const s = this.state(provider, model);
    if (!s) return;
    if (s.circuit === 'open') {
      // The probe succeeded: the circuit closes with a clean slate, not the failures that opened it.
      s.outcomes = [];
    }
    this.push(s, true);
    s.consecutiveFailures = 0;
    s.circuit = 'closed';
    s.probeAt = 0;
    s.latencyMs = s.latencyMs === undefined ? latencyMs : s.latencyMs + this.options.ewmaAlpha * (latencyMs - s.latencyMs);
  }

  recordFailure(provider: ProviderId, model: string, err: UpstreamError): void {
    if (err.isRequestFault) return; // the request's fault, not the target's
    const s = this.state(provider, model);
    if (!s) return;
    const now = this.now();
    s.lastError = `${err.label}: ${err.publicMessage}`.slice(0, 200);
    const probe = s.probeAt !== 0;
    // Whatever the outcome, the probe has reported back.
    s.probeAt = 0;
    if (err.dailyQuotaExhausted) return this.cool(s, dailyQuotaResetsAt(provider, now), 'daily quota exhausted', provider, model);
    // The upstream does not know this model (retired, renamed): not worth a call for a while.
    if (err.modelNotFound) return this.cool(s, now + NOT_FOUND_COOL_MS, MODEL_NOT_FOUND_UPSTREAM, provider, model);
    if (err.status === 429) {
      if (isFreeModel(provider, model) && /per.?day|free-models-per-day/i.test(err.message)) {
        this.freeTierSpentUntil(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() + 1), true);
      }
      // Rate limited: cool this target for as long as it asked (or a short while), no circuit change.
      return this.cool(s, now + (err.retryAfterMs ?? 10_000), 'rate limited', provider, model);
    }
    if (!err.isRetryable) return;
    this.push(s, false);
    s.consecutiveFailures++;
    const failures = s.outcomes.filter((ok) => !ok).length;
    const tooMany = s.consecutiveFailures >= this.options.failureThreshold;
    const rateTooHigh = s.outcomes.length >= this.options.minSamples && failures / s.outcomes.length > this.options.errorRateThreshold;
    if (probe || tooMany || rateTooHigh) {
      s.circuit = 'open';
      s.openedAt = now;
    }
  }

  /** What the router sees; a half-open circuit shows available until its probe is claimed (beforeCall). */
  view(provider: ProviderId, model: string): TargetHealthView {
    const s = this.find(provider, model);
    const now = this.now();
    const freeReason = isFreeModel(provider, model) ? this.freeTierReason(now) : undefined;
    if (freeReason) return { available: false, successRate: this.successRate(s), latencyMs: s?.latencyMs, reason: freeReason };
    if (!s) return { available: true, successRate: 1, latencyMs: undefined };
    if (s.coolUntil > now) return { available: false, successRate: this.successRate(s), latencyMs: s.latencyMs, reason: `${s.coolReason} until ${new Date(s.coolUntil).toISOString()}` };
    const circuit = this.circuitOf(s, now);
    if (circuit === 'open') return { available: false, successRate: this.successRate(s), latencyMs: s.latencyMs, reason: 'circuit open' };
    // Half-open: report healthy enough to be tried, so one probe can close the circuit again.
    return { available: true, successRate: circuit === 'half_open' ? 1 : this.successRate(s), latencyMs: s.latencyMs };
  }

  /**
   * Whether the target may be called now: view()'s `available`, without building the view (the
   * cascade asks this for every target of every request).
   */
  available(provider: ProviderId, model: string): boolean {
    const now = this.now();
    if (isFreeModel(provider, model) && this.freeTierReason(now) !== undefined) return false;
    const s = this.find(provider, model);
    if (!s) return true;
    return s.coolUntil <= now && this.circuitOf(s, now) !== 'open';
  }

  /** Marks a half-open target's probe as under way, so a burst sends one probe, not many. */
  claimProbe(provider: ProviderId, model: string): void {
    const s = this.find(provider, model);
    const now = this.now();
    if (s && this.circuitOf(s, now) === 'half_open') s.probeAt = now;
  }

  /** Forgets everything (an operator's reset; tests that each start from a clean slate). */
  reset(): void {
    this.targets.clear();
    this.size = 0;
    this.free = { minute: -1, perMinute: 0, day: -1, perDay: 0, exhaustedUntil: 0 };
  }

  report(): TargetReport[] {
    const now = this.now();
    return [...this.targets.entries()]
      .flatMap(([provider, models]) => [...models.entries()].map(([model, s]) => ({ provider, model, s })))
      .map(({ provider, model, s }) => {
        const v = this.view(provider, model);
        return {
          provider,
          model,
          circuit: this.circuitOf(s, now),
          available: v.available,
          reason: v.reason ?? null,
          success_rate: Math.round(this.successRate(s) * 1000) / 1000,
          samples: s.outcomes.length,
          consecutive_failures: s.consecutiveFailures,
          latency_ms: s.latencyMs === undefined ? null : Math.round(s.latencyMs),
          cooling_until: s.coolUntil > now ? new Date(s.coolUntil).toISOString() : null,
          last_error: s.lastError ?? null,
        };
      });
  }

  /** OpenRouter's free tier as counted here: use this minute and today, against its limits. */
  freeTier(): { requests_this_minute: number; requests_today: number; per_minute_limit: number; per_day_limit: number; available: boolean; reason: string | null } {
    const now = this.now();
    const reason = this.freeTierReason(now);
    const sameMinute = Math.floor(now / 60_000) === this.free.minute;
    const sameDay = Math.floor(now / DAY_MS) === this.free.day;
    return {
      requests_this_minute: sameMinute ? this.free.perMinute : 0,
      requests_today: sameDay ? this.free.perDay : 0,
      per_minute_limit: this.options.freeTier.perMinute,
      per_day_limit: this.options.freeTier.perDay,
      available: reason === undefined,
      reason: reason ?? null,
    };
  }

  /**
   * OpenRouter's own count, on every answer: `X-RateLimit-Remaining` at 0 means the free tier is spent
   * until `X-RateLimit-Reset` (a timestamp in ms), so the next request skips it without a wasted call.
   * @see https://openrouter.ai/docs/api-reference/limits
   */
  private readFreeTierHeaders(headers: Record<string, string | string[] | undefined>): void {
    const one = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const remaining = Number(one('x-ratelimit-remaining'));
    const resetRaw = Number(one('x-ratelimit-reset'));
    if (!Number.isFinite(remaining) || remaining > 0 || !Number.isFinite(resetRaw)) return;
    const now = this.now();
    const reset = resetRaw < 1e12 ? resetRaw * 1000 : resetRaw; // seconds or milliseconds
    if (reset > now && reset - now <= DAY_MS) this.freeTierSpentUntil(reset, true);
  }

  /** Another instance cooled a target: it rests here too (never for more than a day). */
  cooledElsewhere(provider: ProviderId, model: string, until: number, reason: string): void {
    const s = this.state(provider, model);
    if (s && until - this.now() <= DAY_MS) this.cool(s, until, reason);
  }

  /** Another instance found the free tier spent. */
  freeTierSpentElsewhere(until: number): void {
    if (until - this.now() <= DAY_MS) this.freeTierSpentUntil(until, false);
  }

  private freeTierSpentUntil(until: number, tell: boolean): void {
    if (until <= this.free.exhaustedUntil) return;
    this.free.exhaustedUntil = until;
    if (tell) this.listener?.freeTierSpent(until);
  }

  private freeTierReason(now: number): string | undefined {
    if (this.free.exhaustedUntil > now) return `free tier's requests spent until ${new Date(this.free.exhaustedUntil).toISOString()}`;
    if (this.free.day === Math.floor(now / DAY_MS) && this.free.perDay >= this.options.freeTier.perDay)
      return `free tier's ${this.options.freeTier.perDay} requests for today are used (resets at midnight UTC)`;
    if (this.free.minute === Math.floor(now / 60_000) && this.free.perMinute >= this.options.freeTier.perMinute) return `free tier's ${this.options.freeTier.perMinute} requests per minute are used`;
    return undefined;
  }

  private circuitOf(s: TargetState, now: number): CircuitState {
    if (s.circuit === 'closed') return 'closed';
    if (now - s.openedAt < this.options.openMs) return 'open';
    // A probe under way keeps others out; one that never reported back (its caller left) is forgotten.
    return s.probeAt !== 0 && now - s.probeAt < this.options.openMs ? 'open' : 'half_open';
  }

  /** Whether the target is cooling because its upstream said the model does not exist. */
  notFoundUpstream(provider: ProviderId, model: string): boolean {
    const s = this.find(provider, model);
    return s !== undefined && s.coolReason === MODEL_NOT_FOUND_UPSTREAM && s.coolUntil > this.now();
  }

  /** `provider` and `model` given: decided here, so the other instances are told. */
  private cool(s: TargetState, until: number, reason: string, provider?: ProviderId, model?: string): void {
    if (until > s.coolUntil) {
      s.coolUntil = until;
      s.coolReason = reason;
      if (provider !== undefined && model !== undefined) this.listener?.cooled(provider, model, until, reason);
    }
  }

  private push(s: TargetState, ok: boolean): void {
    s.outcomes.push(ok);
    if (s.outcomes.length > this.options.window) s.outcomes.shift();
  }

  /** With fewer than `minSamples` outcomes there is no telling: 1 (one failure must not exclude a model). */
  private successRate(s: TargetState | undefined): number {
    if (!s || s.outcomes.length < this.options.minSamples) return 1;
    return s.outcomes.filter(Boolean).length / s.outcomes.length;
  }
}
