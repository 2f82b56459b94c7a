/**
 * The request pipeline for chat completions:
 * plan the targets → load the session's memory → call upstreams with fallback →
 * store the new turns and the answer → queue the log row → return.
 */
import type { ChatMessage, ChatResult, FinishReason, ProviderId, StreamPart, Usage } from '../providers/types.js';
import { cacheKey, isCacheable } from '../cache/cache-key.js';
import type { CachedAnswer, ResponseCache } from '../cache/response-cache.js';
import type { Target } from '../routing/cascade.js';
import { estimatedUsage } from '../routing/token-estimate.js';
import type { DatabaseHealth } from './database-health.js';
import type { Complexity } from '../routing/classifier.js';
import type { RoutePolicy } from '../routing/route-policy.js';
import type { HealthLookup } from '../routing/scoring.js';
import type { ModelCatalog } from '../routing/model-catalog.js';
import type { RequestLogWriter } from '../store/request-log-writer.js';
import type { SessionRepository } from '../store/session-repository.js';
import { attemptsForCaller, type Attempt } from './attempts.js';
import { explainedForUser, forCaller, hidden } from './caller-view.js';
import type { CancelSignal } from '../core/cancellation.js';
import { unreadableWarnings, type CallerContext, type CallerContexts } from './caller-context.js';
import { replay } from '../cache/replay.js';
import { settleHolds, type RequestBudgets, type RequestHolds } from './request-holds.js';
import type { AnswerMetadata, ChatInput } from './chat-input.js';
import { GatewayError } from '../core/errors.js';
import type { Executor, PartBatches } from './executor.js';
import { failureOutcome, logRow, type FailureContext, type LogOutcome } from './chat-log.js';
import { RoutePlanner, type RoutingDecision } from '../routing/route-planner.js';
import { cachedConversation, PromptCacheAffinity, type CachedConversation } from '../routing/prompt-cache-affinity.js';
export type { RoutingDecision } from '../routing/route-planner.js';
import { StreamRelay, type RelayedAnswer, type StreamSource, type StreamSummary } from './stream-relay.js';
import { memoryUnavailable } from './memory.js';
import { ConversationStore } from './conversation-store.js';

export interface ChatServiceDeps {
  executor: Executor;
  catalog: ModelCatalog;
  sessions: SessionRepository;
  logs: RequestLogWriter;
  /** Per-caller settings and credentials. */
  contexts: CallerContexts;
  /** Each request's holds on its user's daily tokens and storage, taken before any upstream call. */
  budgets: RequestBudgets;
  /** Live provider health, for the scoring router. */
  health: HealthLookup;
  /** Whether a target may be called now (health's `available`, without building its view). */
  available?: (provider: ProviderId, model: string) => boolean;
  /** Whether a target's upstream said lately that the model does not exist. */
  notFoundUpstream?: (provider: ProviderId, model: string) => boolean;
  /** A session write failed: the database's words go to the server log, not to the caller. */
  onStoreError?: (err: unknown, requestId: string) => void;
  /** Whether the database is taking writes; a request that must store is refused while it is not. */
  databaseHealth?: DatabaseHealth;
  /** The exact-match answer cache, and the highest temperature it replays; absent = off. */
  cache?: { store: ResponseCache; maxTemperature: number } | undefined;
  now: () => number;
}

/** What the HTTP edge needs to describe where an answer came from. */
export type { AnswerMetadata } from './chat-input.js';

export interface CompletionOutcome {
  result: ChatResult;
  metadata: AnswerMetadata;
  warnings: string[];
}

export interface StreamOutcome {
  target: Target;
  /** Replayed from the answer cache: no upstream was called. */
  cacheHit: boolean;
  routing: { complexity: Complexity; policy: RoutePolicy };
  /** The model the upstream says is answering (OpenRouter's routers name the model they picked). */
  upstreamModel: string;
  attempts: Attempt[];
  /** A failure in the middle of the stream, as this caller may see it (the log keeps the upstream's words). */
  publicError(err: unknown): unknown;
  warnings: string[];
  /**
   * The parts to relay, in batches. It ends only after the answer is stored in the session, so the
   * edge's `[DONE]` always follows a stored answer; it throws if the upstream or the store fails part-way.
   */
  parts: PartBatches;
  /** How the stream settled (usage, cost, latency, finish): resolved before `parts` ends, the one way its end is told. */
  summary: Promise<StreamSummary>;
}

/** What the request log keeps of a routing decision. */
const routingOf = (decision: RoutingDecision) => ({ complexity: decision.classification.complexity, policy: decision.policy });

const sameTarget = (a: Target, b: Target | undefined) => b !== undefined && a.provider === b.provider && a.model === b.model;

export class ChatService {
  private readonly planner: RoutePlanner;

  private readonly conversations: ConversationStore;

  /** Which target holds each conversation's prompt cache, so `auto` keeps it there. */
  private readonly affinity = new PromptCacheAffinity();

  constructor(private readonly deps: ChatServiceDeps) {
    this.planner = new RoutePlanner(deps);
    this.conversations = new ConversationStore(deps);
  }

  async complete(input: ChatInput, signal: CancelSignal): Promise<CompletionOutcome> {
    const started = this.deps.now();
    let attempts: Attempt[] = [];
    let holds: RequestHolds | undefined;
    let ctx: CallerContext | undefined;
    let routing: LogOutcome['routing'];
    let warned = input.warnings;
    try {
      const begun = await this.begin(input);
      const { messages, decision, keyWarnings, key, hit } = begun;
      ({ ctx, holds } = begun);
      routing = routingOf(decision);
      warned = [...input.warnings, ...keyWarnings];
      const { targets } = decision;
      if (hit) return await this.answerFromCache(input, hit, decision, started, begun.holds);
      const success = await this.deps.executor.complete(
        targets,
        { messages, params: input.params, stream: false, owner: input.caller.userId, named: decision.named, outputLimit: begun.outputLimit },
        signal,
        ctx.credentials,
      );
      success.warnings.push(...keyWarnings);
      attempts = success.attempts;
      const { result, target } = success;
      await this.conversations.remember(input, result.text, target.model, holds);
      this.affinity.answered(begun.conversation, target, result.usage);
      // Only the plan's first choice is cached: a fallback's answer must not outlive the outage.
      if (key !== undefined && sameTarget(target, targets[0])) this.store(key, target, result.model, result.text, result.finishReason, result.usage);
      // An upstream that reports no usage still spent tokens: they are estimated, never free.
      const usage = result.usage ?? estimatedUsage(decision.classification.estimated_tokens, result.text + (result.toolCalls?.map((c) => c.name + c.arguments).join('') ?? ''));
      const costUsd = this.deps.catalog.cost(target.model, usage);
      const latencyMs = this.deps.now() - started;
      const warnings = [...input.warnings, ...success.warnings];
      const metadata: AnswerMetadata = {
        model_used: target.model,
        provider: target.provider,
        cost_usd: costUsd,
        latency_ms: latencyMs,
        cache_hit: false,
        attempts: attemptsForCaller(attempts, hidden(input, ctx)),
        complexity: decision.classification.complexity,
        route: decision.policy,
      };
      await this.conversations.persist(input, { result, metadata }, holds);
      this.log(input, { target, usage, costUsd, latencyMs, attempts, httpStatus: 200, holds, routing, warnings });
      return { result, metadata, warnings };
    } catch (err) {
      // An answer that could not be stored never reached the caller: its tokens are not theirs to pay.
      this.logFailure(input, err, started, { attempts, holds, routing, warnings: warned });
      throw explainedForUser(forCaller(err, hidden(input, ctx)), input.caller);
    }
  }

  async stream(input: ChatInput, signal: CancelSignal): Promise<StreamOutcome> {
    const started = this.deps.now();
    let success: StreamSource;
    let decision: RoutingDecision;
    let key: string | undefined;
    let conversation: CachedConversation | undefined;
    let holds: RequestHolds | undefined;
    let ctx: CallerContext | undefined;
    let cacheHit = false;
    let routing: LogOutcome['routing'];
    let warned = input.warnings;
    try {
      const begun = await this.begin(input);
      ({ decision, key, holds, ctx, conversation } = begun);
      routing = routingOf(decision);
      warned = [...input.warnings, ...begun.keyWarnings];
      if (begun.hit) {
        cacheHit = true;
        success = { target: { provider: begun.hit.provider, model: begun.hit.model }, attempts: [], warnings: [], ...replay(begun.hit) };
      } else {
        success = await this.deps.executor.stream(
          decision.targets,
          { messages: begun.messages, params: input.params, stream: true, owner: input.caller.userId, named: decision.named, outputLimit: begun.outputLimit },
          signal,
          begun.ctx.credentials,
        );
        success.warnings.push(...begun.keyWarnings);
      }
    } catch (err) {
      this.logFailure(input, err, started, { holds, routing, warnings: warned });
      throw explainedForUser(forCaller(err, hidden(input, ctx)), input.caller);
    }
    const redact = hidden(input, ctx);
    const { target, attempts, head } = success;
    const reported = head.find((p): p is Extract<StreamPart, { type: 'model' }> => p.type === 'model');
    const cacheable = !cacheHit && sameTarget(target, decision.targets[0]);
    const warnings = [...input.warnings, ...success.warnings];
    const parts = this.relay(
      input,
      success,
      started,
      signal,
      holds,
      decision.classification.estimated_tokens,
      { key: cacheable ? key : undefined, hit: cacheHit, upstreamModel: reported?.model ?? target.model, conversation },
      { routing, warnings },
      (costUsd, latencyMs) => ({
        model_used: target.model,
        provider: target.provider,
        cost_usd: costUsd,
        latency_ms: latencyMs,
        cache_hit: cacheHit,
        attempts: attemptsForCaller(attempts, redact),
        complexity: decision.classification.complexity,
        route: decision.policy,
      }),
    );
    return {
      target,
      cacheHit,
      routing: { complexity: decision.classification.complexity, policy: decision.policy },
      upstreamModel: reported?.model ?? target.model,
      // Read as the stream ends (a mid-stream failure marks the last attempt), so shown through a getter.
      get attempts() {
        return attemptsForCaller(attempts, redact);
      },
      publicError: (err: unknown) => forCaller(err, redact),
      warnings,
      parts,
      summary: parts.summary,
    };
  }

  /**
   * What both kinds of answer start with: the caller's context, the prompt as it will be sent
   * (memory included, which is what gets classified and planned for), the plan, the request's hold
   * on its user's budgets (daily tokens, and storage for its session turns; a 429 when none is left), and
   * the cache's verdict.
   */
  private async begin(input: ChatInput) {
    // Writes are failing (the database away, a read-only or full disk): the answer could not be stored,
    // so a request that must store is refused at once, before waiting on the database for anything.
    if ((input.sessionId !== undefined || input.persist !== undefined) && this.deps.databaseHealth?.failingSinceMs !== undefined) throw memoryUnavailable('stored');
    const ctx = await this.deps.contexts.resolve(input.caller);
    const messages = await this.conversations.promptWithMemory(input, ctx);
    const conversation = cachedConversation({ userId: input.caller.userId, priority: input.priority, sessionId: input.sessionId, params: input.params, messages });
    const decision = this.planner.decide(conversation ? { ...input, cacheHolder: this.affinity.holder(conversation) } : input, ctx, messages);
    const keyWarnings = unreadableWarnings(decision.targets, ctx);
    const key = this.cacheKeyFor(input, ctx, decision, messages);
    const { holds, outputLimit, warnings } = await this.deps.budgets.take(input, ctx, decision.classification.estimated_tokens, decision.targets);
    keyWarnings.push(...warnings);
    const found = key === undefined ? undefined : this.deps.cache?.store.get(key);
    const hit = found instanceof Promise ? await found : found;
    return { ctx, messages, decision, keyWarnings, key, hit, holds, outputLimit, conversation };
  }

  /** The cache key of a request that may be cached, or undefined (cache off, bypassed, too random). */
  private cacheKeyFor(input: ChatInput, ctx: CallerContext, decision: RoutingDecision, messages: ChatMessage[]): string | undefined {
    const cache = this.deps.cache;
    if (!cache || input.cache === false || !isCacheable(input.params, cache.maxTemperature)) return undefined;
    const model = input.model ?? ctx.defaultModel ?? 'auto';
    return cacheKey({ tenant: input.caller.userId, model, route: decision.policy, priority: input.priority, messages, params: input.params });
  }

  /** Only complete, non-empty answers are worth replaying. */
  private store(key: string, target: Target, upstreamModel: string, text: string, finishReason: FinishReason | undefined, usage: Usage | undefined): void {
    if (text === '' || finishReason !== 'stop') return;
    this.deps.cache?.store.set(key, { provider: target.provider, model: target.model, upstreamModel, text, finishReason, usage, storedAt: this.deps.now() });
  }

  /** A cached answer, served like a fresh one: remembered in the session, logged as a hit, free. */
  private async answerFromCache(input: ChatInput, hit: CachedAnswer, decision: RoutingDecision, started: number, holds: RequestHolds): Promise<CompletionOutcome> {
    const target = { provider: hit.provider, model: hit.model };
    await this.conversations.remember(input, hit.text, hit.model, holds);
    const latencyMs = this.deps.now() - started;
    const result: ChatResult = { model: hit.upstreamModel, text: hit.text, finishReason: hit.finishReason };
    if (hit.usage) result.usage = hit.usage;
    const metadata: AnswerMetadata = {
      model_used: hit.model,
      provider: hit.provider,
      cost_usd: 0,
      latency_ms: latencyMs,
      cache_hit: true,
      attempts: [],
      complexity: decision.classification.complexity,
      route: decision.policy,
    };
    await this.conversations.persist(input, { result, metadata }, holds);
    this.log(input, { target, costUsd: 0, latencyMs, attempts: [], httpStatus: 200, cacheHit: true, holds, routing: routingOf(decision), warnings: input.warnings });
    return { result, metadata, warnings: [...input.warnings] };
  }

  /** Logs a request the edge refused before it became a ChatInput (bad JSON fields and the like). */
  recordRejected(request: { requestId: string; caller: ChatInput['caller']; model: string | undefined; stream: boolean; endpoint?: ChatInput['endpoint'] }, err: unknown): void {
    const input: ChatInput = {
      requestId: request.requestId,
      caller: request.caller,
      model: request.model,
      messages: [],
      params: {},
      stream: request.stream,
      sessionId: undefined,
      priority: 'normal',
      warnings: [],
    };
    if (request.endpoint !== undefined) input.endpoint = request.endpoint;
    this.logFailure(input, err, this.deps.now(), {});
  }

  /** The parts as the edge reads them; the answer is stored and logged as the stream ends. */
  private relay(
    input: ChatInput,
    success: StreamSource,
    started: number,
    signal: CancelSignal,
    holds: RequestHolds,
    promptTokens: number,
    cache: { key: string | undefined; hit: boolean; upstreamModel: string; conversation: CachedConversation | undefined },
    described: Pick<LogOutcome, 'routing' | 'warnings'>,
    metadataOf: (costUsd: number, latencyMs: number) => AnswerMetadata,
  ): StreamRelay {
    const { target, attempts } = success;
    // A stream cut short (or an upstream that reports no usage) still spent tokens: estimated from the
    // prompt and the text relayed, so closing streams early is never a way around the daily limit.
    const spent = ({ text, usage }: RelayedAnswer) => (cache.hit ? undefined : (usage ?? estimatedUsage(promptTokens, text)));
    return new StreamRelay(success, signal, {
      completed: async (answer) => {
        await this.conversations.remember(input, answer.text, target.model, holds);
        if (!cache.hit) this.affinity.answered(cache.conversation, target, answer.usage);
        if (cache.key !== undefined) this.store(cache.key, target, cache.upstreamModel, answer.text, answer.finishReason, answer.usage);
        // A replayed answer cost nothing and counts no tokens (its replayed usage is still reported).
        const usage = spent(answer);
        const costUsd = cache.hit ? 0 : this.deps.catalog.cost(target.model, usage);
        const latencyMs = this.deps.now() - started;
        if (input.persist) {
          const result: ChatResult = { model: cache.upstreamModel, text: answer.text, finishReason: answer.finishReason ?? 'stop' };
          if (answer.toolCalls.length > 0) result.toolCalls = answer.toolCalls;
          const reported = usage ?? answer.usage;
          if (reported) result.usage = reported;
          await this.conversations.persist(input, { result, metadata: metadataOf(costUsd, latencyMs) }, holds);
        }
        this.log(input, { target, usage, costUsd, latencyMs, attempts, httpStatus: 200, cacheHit: cache.hit, holds, ...described });
        return { usage: usage ?? answer.usage, costUsd, latencyMs, finishReason: answer.finishReason };
      },
      // What the upstream spent before failing counts and is logged: a stream's text has reached the
      // caller already, even when storing it then failed (only the end, [DONE], was withheld).
      failed: (err, relayed) => this.logFailure(input, err, started, { attempts: relayed.attempts, target, usage: spent(relayed), holds, ...described }),
      abandoned: (relayed) =>
        this.logFailure(input, new GatewayError({ status: 499, type: 'cancelled', code: 'client_closed_request', message: 'the client closed the stream' }), started, {
          attempts: relayed.attempts,
          target,
          usage: spent(relayed),
          holds,
          ...described,
        }),
    });
  }

  /** The routing decision for a request, calling nothing (POST /v1/route). */
  async route(input: ChatInput): Promise<RoutingDecision> {
    const conversation = cachedConversation({ userId: input.caller.userId, priority: input.priority, sessionId: input.sessionId, params: input.params, messages: input.messages });
    return this.planner.decide({ ...input, cacheHolder: this.affinity.holder(conversation) }, await this.deps.contexts.resolve(input.caller), input.messages);
  }

  /**
   * Settles the request's token reservation now (the daily limit must see its real use before the
   * caller's next request), and records the row after this tick, once the answer it describes is on its way.
   */
  private log(input: ChatInput, outcome: LogOutcome): void {
    // A stream that failed or was closed early still spent what it relayed: priced, logged and counted.
    if (outcome.costUsd === 0 && !outcome.cacheHit && outcome.target && outcome.usage) outcome.costUsd = this.deps.catalog.cost(outcome.target.model, outcome.usage);
    settleHolds(outcome.holds, outcome.usage?.totalTokens ?? 0, outcome.costUsd);
    // Savings are the caller's only where they paid: a replayed answer or a failure cost nothing.
    if (outcome.target && outcome.costUsd > 0) outcome.cacheSavingsUsd = this.deps.catalog.cacheSavings(outcome.target.model, outcome.usage);
    const at = this.deps.now();
    this.deps.logs.recordAfterThisTick(() => ({ row: logRow(input, outcome, at), attempts: outcome.attempts }));
  }

  /** The row for a failed request carries the status the caller actually received. */
  private logFailure(input: ChatInput, err: unknown, started: number, at: FailureContext): void {
    this.log(input, failureOutcome(err, this.deps.now() - started, at));
  }
}
