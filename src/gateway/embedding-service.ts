/**
 * The embeddings pipeline: the caller's context and daily limit → the model's one provider (no
 * fallback: another model's vectors live in another space) → the log row, costed like chat.
 */
import { approximateTokens } from '../routing/token-estimate.js';
import { UpstreamError } from '../providers/errors.js';
import { sendForJson } from '../providers/upstream-call.js';
import type { Transport } from '../providers/http-transport.js';
import type { EmbeddingAdapter, EmbeddingCall, EmbeddingResult } from '../providers/embeddings/types.js';
import type { ProviderAdapter, ProviderId, Usage } from '../providers/types.js';
import type { EmbeddingModelEntry, ModelCatalog } from '../routing/model-catalog.js';
import type { RequestLogWriter } from '../store/request-log-writer.js';
import { failedAttempt, type Attempt } from './attempts.js';
import type { Caller } from './caller.js';
import type { TokenReservation } from '../accounts/daily-usage.js';
import type { CallerContext, CallerContexts } from './caller-context.js';
import { explainedForUser, forCaller, hidden } from './caller-view.js';
import type { CancelSignal } from '../core/cancellation.js';
import { GatewayError, invalidRequest } from '../core/errors.js';
import { allTargetsFailed } from './executor.js';

export interface EmbeddingInput {
  requestId: string;
  caller: Caller;
  /** A catalog embedding model, or `auto` for the first one with a key. */
  model: string;
  input: string[] | number[][];
  dimensions?: number;
  user?: string;
}

export interface EmbeddingOutcome {
  result: EmbeddingResult;
  entry: EmbeddingModelEntry;
  usage: Usage;
  costUsd: number;
  latencyMs: number;
}

export interface EmbeddingServiceDeps {
  adapters: Partial<Record<ProviderId, EmbeddingAdapter>>;
  /** The chat adapters, whose error parsing embeddings share. */
  chatAdapters: Record<ProviderId, ProviderAdapter>;
  transport: Transport;
  catalog: ModelCatalog;
  contexts: CallerContexts;
  logs: RequestLogWriter;
  timeoutMs: number;
  now: () => number;
}

const modelNotFound = (model: string, known: readonly EmbeddingModelEntry[]) =>
  new GatewayError({
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    param: 'model',
    message: `The embedding model '${model}' is not served by this gateway. Known: ${known.map((m) => m.id).join(', ') || 'none'}.`,
  });

export class EmbeddingService {
  constructor(private readonly deps: EmbeddingServiceDeps) {}

  async embed(input: EmbeddingInput, signal: CancelSignal): Promise<EmbeddingOutcome> {
    const started = this.deps.now();
    let entry: EmbeddingModelEntry | undefined;
    const attempts: Attempt[] = [];
    let reservation: TokenReservation | undefined;
    let ctx: CallerContext | undefined;
    try {
      const context = await this.deps.contexts.resolve(input.caller);
      ctx = context;
      reservation = await this.deps.contexts.reserveTokens(input.caller, context, estimatedUsage(input.input).totalTokens);
      const { catalog } = this.deps;
      entry =
        input.model === 'auto'
          ? (catalog.embeddings.find((m) => context.credentials[m.provider] !== undefined && this.deps.adapters[m.provider]) ?? catalog.embeddings[0])
          : catalog.embedding(input.model);
      if (!entry) throw modelNotFound(input.model, catalog.embeddings);
      const adapter = this.deps.adapters[entry.provider];
      if (!adapter) throw modelNotFound(input.model, catalog.embeddings);
      if (!adapter.acceptsTokens && typeof input.input[0] !== 'string') throw invalidRequest(`The model '${entry.id}' takes text input only, not token arrays`, 'input');
      const credentials = context.credentials[entry.provider];
      if (!credentials) {
        attempts.push({ provider: entry.provider, model: entry.id, status: 'skipped', error: 'no API key configured', latency_ms: 0 });
        throw allTargetsFailed(attempts, undefined);
      }
      const call: EmbeddingCall = { model: entry.id, input: input.input };
      if (input.dimensions !== undefined) call.dimensions = input.dimensions;
      if (input.user !== undefined) call.user = input.user;
      const result = await this.sendInBatches(adapter, call, credentials, signal, attempts, started);
      const usage = result.usage ?? estimatedUsage(input.input);
      const costUsd = (usage.promptTokens * entry.input_per_mtok) / 1_000_000;
      const latencyMs = this.deps.now() - started;
      this.log(input, { entry, usage, costUsd, latencyMs, attempts, status: 200, reservation });
      return { result, entry, usage, costUsd, latencyMs };
    } catch (err) {
      const status = err instanceof GatewayError ? err.status : 500;
      this.log(input, { entry, costUsd: 0, latencyMs: this.deps.now() - started, attempts, status, error: (err as Error).message, reservation });
      throw explainedForUser(forCaller(err, hidden(input, ctx)), input.caller);
    }
  }

  /** Logs a request the edge refused before it became an EmbeddingInput (a bad field). */
  recordRejected(request: { requestId: string; caller: Caller; model: string | undefined }, err: unknown): void {
    const status = err instanceof GatewayError ? err.status : 400;
    this.log(
      { requestId: request.requestId, caller: request.caller, model: request.model ?? '', input: [] },
      { entry: undefined, costUsd: 0, latencyMs: 0, attempts: [], status, error: (err as Error).message },
    );
  }

  /** Inputs beyond what one upstream call takes (Gemini: 100) go in several calls, one after another. */
  private async sendInBatches(
    adapter: EmbeddingAdapter,
    call: EmbeddingCall,
    credentials: { apiKey: string; baseUrl: string },
    signal: CancelSignal,
    attempts: Attempt[],
    started: number,
  ): Promise<EmbeddingResult> {
    if (call.input.length <= adapter.maxInputs) return this.send(adapter, call, credentials, signal, attempts, started);
    const vectors: number[][] = [];
    let usage: Usage | undefined;
    let model = call.model;
    for (let i = 0; i < call.input.length; i += adapter.maxInputs) {
      const part = await this.send(adapter, { ...call, input: call.input.slice(i, i + adapter.maxInputs) as string[] | number[][] }, credentials, signal, attempts, started);
      vectors.push(...part.vectors);
      model = part.model;
      if (part.usage) usage = { promptTokens: (usage?.promptTokens ?? 0) + part.usage.promptTokens, completionTokens: 0, totalTokens: (usage?.totalTokens ?? 0) + part.usage.totalTokens };
    }
    return usage ? { vectors, model, usage } : { vectors, model };
  }

  private async send(
    adapter: EmbeddingAdapter,
    call: EmbeddingCall,
    credentials: { apiKey: string; baseUrl: string },
    signal: CancelSignal,
    attempts: Attempt[],
    started: number,
  ): Promise<EmbeddingResult> {
    const provider = adapter.id;
    try {
      const { json } = await sendForJson(this.deps.transport, adapter.buildRequest(call, credentials), this.deps.chatAdapters[provider], provider, {
        signal,
        headersTimeoutMs: this.deps.timeoutMs,
        bodyTimeoutMs: this.deps.timeoutMs,
      });
      const result = adapter.parseResponse(json, call);
      attempts.push({ provider, model: call.model, status: 'ok', latency_ms: this.deps.now() - started });
      return result;
    } catch (err) {
      const upstream = err instanceof UpstreamError ? err : new UpstreamError({ provider, kind: 'connection', message: (err as Error).message });
      attempts.push(failedAttempt({ provider, model: call.model }, upstream, this.deps.now() - started));
      throw allTargetsFailed(attempts, upstream);
    }
  }

  private log(
    input: EmbeddingInput,
    o: { entry: EmbeddingModelEntry | undefined; usage?: Usage; costUsd: number; latencyMs: number; attempts: Attempt[]; status: number; error?: string; reservation?: TokenReservation | undefined },
  ): void {
    o.reservation?.settle(o.usage?.totalTokens ?? 0);
    this.deps.logs.record(
      {
        id: input.requestId,
        created_at: new Date(this.deps.now()).toISOString(),
        user_id: input.caller.userId,
        gateway_key_id: input.caller.gatewayKeyId ?? null,
        session_id: null,
        endpoint: 'embeddings',
        model_requested: input.model || null,
        model_used: o.entry?.id ?? null,
        provider: o.entry?.provider ?? null,
        priority: 'normal',
        stream: 0,
        status: o.error === undefined ? 'success' : 'error',
        http_status: o.status,
        error: o.error ?? null,
        prompt_tokens: o.usage?.promptTokens ?? 0,
        completion_tokens: 0,
        total_tokens: o.usage?.totalTokens ?? 0,
        cost_usd: o.costUsd,
        latency_ms: Math.round(o.latencyMs),
        cache_hit: 0,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        cache_savings_usd: 0,
        attempts: JSON.stringify(o.attempts),
      },
      o.attempts,
    );
  }
}

/**
 * Upstreams that report no usage (Gemini): the texts' estimated token counts (Gemini's own
 * tokenizer is not o200k either, so an exact o200k count would be no truer), or the token arrays'
 * lengths. Usage counts against daily limits, so never less than a token per 5 characters (about
 * what English prose costs in o200k): the estimate prices a short word at one token, which inputs of
 * random letters (2 to 3 characters a token) could otherwise stretch five-fold.
 */
export function estimatedUsage(input: string[] | number[][]): Usage {
  let tokens = 0;
  for (const item of input) tokens += typeof item === 'string' ? Math.max(approximateTokens(item), Math.ceil(item.length / 5)) : item.length;
  return { promptTokens: tokens, completionTokens: 0, totalTokens: tokens };
}
