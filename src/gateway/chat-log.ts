/** The request-log row of a chat request, from what it got to: pure. */
import type { Usage } from '../providers/types.js';
import type { Target } from '../routing/cascade.js';
import type { RequestLogRow } from '../store/request-log-writer.js';
import type { Attempt } from './attempts.js';
import type { ChatInput } from './chat-input.js';
import type { RequestHolds } from './request-holds.js';
import { UpstreamError } from '../providers/errors.js';
import { GatewayError } from '../core/errors.js';

export interface LogOutcome {
  target?: Target;
  cacheHit?: boolean;
  usage?: Usage | undefined;
  costUsd: number;
  /** What the provider's prompt cache saved against the input price (see ModelCatalog.cacheSavings). */
  cacheSavingsUsd?: number;
  latencyMs: number;
  attempts: Attempt[];
  httpStatus: number;
  error?: string;
  /** The request's holds on its user's budgets, settled with `usage` when the row is made. */
  holds?: RequestHolds | undefined;
  /** How the router saw and planned it, once it got that far. */
  routing?: { complexity: string; policy: string } | undefined;
  /** What the caller was warned of (x-cerebro-warnings). */
  warnings?: readonly string[] | undefined;
}

/** What a failed request had got to when it failed. */
export interface FailureContext {
  attempts?: Attempt[];
  target?: Target;
  usage?: Usage | undefined;
  holds?: RequestHolds | undefined;
  routing?: LogOutcome['routing'];
  warnings?: readonly string[] | undefined;
}

/** The request-log row for a finished (or failed) chat request, made at `at` (ms since the epoch). */
export function logRow(input: ChatInput, outcome: LogOutcome, at: number): RequestLogRow {
  return {
    id: input.requestId,
    created_at: new Date(at).toISOString(),
    user_id: input.caller.userId,
    gateway_key_id: input.caller.gatewayKeyId ?? null,
    session_id: input.sessionId ?? null,
    endpoint: input.endpoint ?? 'chat.completions',
    model_requested: input.model ?? null,
    model_used: outcome.target?.model ?? null,
    provider: outcome.target?.provider ?? null,
    priority: input.priority,
    stream: input.stream ? 1 : 0,
    status: outcome.error === undefined ? 'success' : 'error',
    http_status: outcome.httpStatus,
    error: outcome.error ?? null,
    prompt_tokens: outcome.usage?.promptTokens ?? 0,
    completion_tokens: outcome.usage?.completionTokens ?? 0,
    total_tokens: outcome.usage?.totalTokens ?? 0,
    cost_usd: outcome.costUsd,
    latency_ms: Math.round(outcome.latencyMs),
    cache_hit: outcome.cacheHit ? 1 : 0,
    attempts: JSON.stringify(outcome.attempts),
    complexity: outcome.routing?.complexity ?? null,
    route: outcome.routing?.policy ?? null,
    warnings: outcome.warnings && outcome.warnings.length > 0 ? JSON.stringify(outcome.warnings) : null,
    cache_read_tokens: outcome.usage?.cacheReadTokens ?? 0,
    cache_write_tokens: outcome.usage?.cacheWriteTokens ?? 0,
    cache_savings_usd: outcome.cacheSavingsUsd ?? 0,
  };
}

/** What a failed request's row records: the status the caller actually received, and what it had got to. */
export function failureOutcome(err: unknown, latencyMs: number, at: FailureContext): LogOutcome {
  const known = err instanceof GatewayError ? err : undefined;
  const upstream = err instanceof UpstreamError ? err : undefined;
  const outcome: LogOutcome = {
    costUsd: 0,
    latencyMs,
    attempts: known?.attempts ?? at.attempts ?? [],
    holds: at.holds,
    routing: at.routing,
    warnings: at.warnings,
    // Mid-stream upstream failures reach the caller as a 502-type error event; anything else unplanned is a 500.
    httpStatus: known?.status ?? (upstream ? 502 : 500),
    error: upstream ? upstream.publicMessage : err instanceof Error ? err.message : String(err),
  };
  if (at.target) outcome.target = at.target;
  if (at.usage) outcome.usage = at.usage;
  return outcome;
}
