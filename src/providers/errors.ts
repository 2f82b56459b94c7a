/**
 * Upstream failures, classified once so the executor can decide what to do next without
 * knowing which provider failed.
 */
import type { ProviderId } from './types.js';

export type UpstreamFailureKind =
  /** The upstream answered with an error status or an error body. */
  | 'http'
  /** Connect, first-byte or total deadline passed. */
  | 'timeout'
  /** Refused, reset or closed before a complete answer. */
  | 'connection'
  /** The upstream sent something we cannot parse. */
  | 'protocol';

export interface UpstreamErrorInit {
  provider: ProviderId;
  kind: UpstreamFailureKind;
  message: string;
  status?: number;
  /** The upstream's own error code or type string, when it gives one. */
  upstreamCode?: string;
  retryAfterMs?: number;
  /**
   * The upstream said 400 but the fault is its own or our configuration's (a retired model id, an
   * invalid key reported as INVALID_ARGUMENT): another target may well succeed.
   */
  providerFault?: boolean;
  /** A per-day quota is spent (Gemini's PerDay quotas): retrying before it resets is pointless. */
  dailyQuotaExhausted?: boolean;
}

/** Statuses that mean "your request is wrong": trying another provider would not help. */
const REQUEST_FAULT_STATUSES = new Set([400, 413, 422]);

export class UpstreamError extends Error {
  readonly provider: ProviderId;
  readonly kind: UpstreamFailureKind;
  readonly status: number | undefined;
  readonly upstreamCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly providerFault: boolean;
  readonly dailyQuotaExhausted: boolean;

  constructor(init: UpstreamErrorInit) {
    super(init.message);
    this.name = 'UpstreamError';
    this.provider = init.provider;
    this.kind = init.kind;
    this.status = init.status;
    this.upstreamCode = init.upstreamCode;
    this.retryAfterMs = init.retryAfterMs;
    this.providerFault = init.providerFault ?? false;
    this.dailyQuotaExhausted = init.dailyQuotaExhausted ?? false;
  }

  /** The caller's request itself was refused (400/413/422): return it, do not fall back. */
  get isRequestFault(): boolean {
    return !this.providerFault && this.kind === 'http' && this.status !== undefined && REQUEST_FAULT_STATUSES.has(this.status);
  }

  /**
   * A transient failure of this target (429, 402, 408, 5xx, 529, timeouts, dropped connections):
   * another target, or this one later, may well succeed.
   */
  get isRetryable(): boolean {
    if (this.kind !== 'http') return true;
    const s = this.status ?? 0;
    return s === 402 || s === 408 || s === 409 || s === 429 || s >= 500;
  }

  /** Whether the executor may move on to the next target after this failure. */
  get allowsFallback(): boolean {
    return !this.isRequestFault;
  }

  /**
   * The message fit for callers and logs. Credential failures are described, not quoted: upstream
   * 401/403 texts can echo part of the key or name the account.
   */
  get publicMessage(): string {
    if (this.status === 401 || this.status === 403) return `${this.provider} rejected the gateway's credentials for it (check its API key)`;
    return this.message;
  }

  /**
   * The upstream says the model itself does not exist (a typo, a retired id), as each provider words
   * it: OpenAI's `model_not_found`, Anthropic's `not_found_error` about the model, Gemini's "models/… is
   * not found", OpenRouter's "No endpoints found for …". Not a 404 about what this request needs
   * (OpenRouter's "No endpoints found that support tool use"): another request may well be served.
   */
  get modelNotFound(): boolean {
    if (this.kind !== 'http' || this.status !== 404 || /that support/i.test(this.message)) return false;
    if (this.upstreamCode === 'model_not_found') return true;
    if (this.upstreamCode === 'not_found_error') return /model/i.test(this.message);
    return /model.*(does not exist|is not found|not found)|no endpoints found for|unknown model/i.test(this.message);
  }

  /**
   * What happened, in the gateway's words, quoting nothing the upstream said: what a caller sees of
   * a failure on the operator's keys (an upstream's 402 or 429 body can name balances or accounts).
   */
  get reason(): string {
    if (this.kind === 'timeout') return 'timed out';
    if (this.kind === 'connection') return 'connection failed';
    if (this.kind === 'protocol') return 'unreadable response';
    const s = this.status ?? 0;
    if (s === 401 || s === 403) return 'credentials rejected';
    if (s === 402) return 'out of credits';
    if (s === 404) return this.modelNotFound ? 'model not found' : 'not found';
    if (s === 408) return 'timed out';
    if (s === 429) return 'rate limited';
    if (s === 529 || s === 503) return 'overloaded';
    if (s >= 500) return 'upstream error';
    return 'request refused';
  }

  /** A short label for attempts lists and logs: "429 rate limited", "timeout", ... */
  get label(): string {
    return this.kind === 'http' ? `${this.status ?? 'error'}` : this.kind;
  }
}

/**
 * Parses a Retry-After header (delta-seconds or an HTTP date) into milliseconds.
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-retry-after
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Whether a parsed body has this top-level field. Checked before trying an error schema, because a
 * failed zod parse builds an error object: too costly to do on every successful response.
 */
export function hasField(body: unknown, field: string): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && field in body;
}

/** Reads a JSON body if it is one; upstream error bodies are not always JSON. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Shortens upstream text quoted in our own messages. */
export function truncate(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
