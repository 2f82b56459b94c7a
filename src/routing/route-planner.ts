/**
 * The routing policy: how a request's targets are chosen, calling nothing. Classifies the prompt,
 * then plans it: a concrete model, or `auto` under the cascade, walks the cascade; `auto` under the
 * `score` policy asks the scoring router, with the cascade's order as the answer when no catalog
 * model can take it. Targets that are resting move to the end.
 */
import type { ChatMessage, ChatParams, ProviderId } from '../providers/types.js';
import { isAutoModel, planCascade, UnknownModelError, type Priority, type Target } from './cascade.js';
import { classify, type Classification } from './classifier.js';
import type { ModelCatalog } from './model-catalog.js';
import { missingCapabilities, requirementsOf, type Requirements } from './requirements.js';
import type { RoutePolicy } from './route-policy.js';
import { cacheHolderFirst } from './prompt-cache-affinity.js';
import { planScored, type HealthLookup, type ScoredPlan } from './scoring.js';
import { invalidRequest, modelNotFound, noCapableModel } from '../core/errors.js';

/** What planning reads of a request (the gateway's ChatInput has these fields). */
export interface PlanRequest {
  model: string | undefined;
  params: ChatParams;
  stream: boolean;
  priority: Priority;
  route?: RoutePolicy | undefined;
  /** The target holding this conversation's prompt cache (prompt-cache-affinity.ts): `auto` keeps it while it is healthy. */
  cacheHolder?: Target | undefined;
}

/** What planning reads of the caller: their defaults, and which providers they hold keys for. */
export interface PlanCaller {
  defaultModel: string | undefined;
  routePolicy: string;
  credentials: Partial<Record<ProviderId, unknown>>;
}

/** How a request was (or would be) routed: POST /v1/route shows this without calling anything. */
export interface RoutingDecision {
  policy: RoutePolicy;
  classification: Classification;
  targets: readonly Target[];
  /** The scoring router's full plan, when it planned. */
  scored?: ScoredPlan;
  /** The target of the model the caller named (not `auto`): an upstream 404 for it is the caller's answer. */
  named?: Target;
  /** Put first because it holds the conversation's prompt cache. */
  cacheHolder?: Target;
}

export interface RoutePlannerDeps {
  catalog: ModelCatalog;
  /** Live provider health, for the scoring router. */
  health: HealthLookup;
  /** Whether a target may be called now (health's `available`, without building its view). */
  available?: (provider: ProviderId, model: string) => boolean;
  /** Whether a target's upstream said lately that the model does not exist. */
  notFoundUpstream?: (provider: ProviderId, model: string) => boolean;
}

export class RoutePlanner {
  constructor(private readonly deps: RoutePlannerDeps) {}

  /**
   * Classifies the request, then plans it: a concrete model, or `auto` under the cascade, walks the
   * cascade; `auto` under the `score` policy asks the scoring router, with the cascade's order as
   * the answer when no catalog model can take it.
   */
  decide(input: PlanRequest, ctx: PlanCaller, prompt: readonly ChatMessage[]): RoutingDecision {
    const classification = classify(prompt);
    const required = requirementsOf(prompt, input.params);
    // A request without a model uses the caller's default model, when they set one.
    const model = input.model ?? ctx.defaultModel;
    const policy: RoutePolicy = input.route ?? (ctx.routePolicy === 'score' ? 'score' : 'cascade');
    // The scoring router plans only for `auto`; a concrete model walks the cascade behind it.
    const scoring = policy === 'score' && isAutoModel(model);
    if (scoring) {
      const scored = planScored(
        { classification, maxTokens: input.params.maxTokens, stream: input.stream, priority: input.priority, required },
        this.deps.catalog,
        this.deps.health,
        (provider) => ctx.credentials[provider] !== undefined,
      );
      if (scored.targets.length > 0) return this.keepCache({ policy, classification, targets: scored.targets.map((t) => ({ provider: t.provider, model: t.model })), scored }, input);
    }
    const cascade = this.cascade(model, input);
    const named = isAutoModel(model) ? undefined : cascade[0];
    if (named) this.checkNamed(named, input);
    const targets = this.capable(cascade, required, named?.model);
    const decision: RoutingDecision = { policy: scoring ? 'score' : 'cascade', classification, targets: this.healthyFirst(targets) };
    if (named) {
      // The model the caller named stays first: the cache never overrides their choice.
      decision.named = named;
      return decision;
    }
    return this.keepCache(decision, input);
  }

  /** A cache pays only where it is held: the target holding the conversation's goes first while it is healthy. */
  private keepCache(decision: RoutingDecision, input: PlanRequest): RoutingDecision {
    const holder = input.cacheHolder;
    const { targets, kept } = cacheHolderFirst(decision.targets, holder, (t) => this.isAvailable(t.provider, t.model));
    return kept && holder ? { ...decision, targets, cacheHolder: holder } : decision;
  }

  private isAvailable(provider: ProviderId, model: string): boolean {
    return this.deps.available ? this.deps.available(provider, model) : this.deps.health(provider, model).available;
  }

  /** A model the caller named: one its upstream said lately it does not know is a 404 at once; `max_tokens` must fit it. */
  private checkNamed(named: Target, input: PlanRequest): void {
    if (this.deps.notFoundUpstream?.(named.provider, named.model)) throw modelNotFound(named.model);
    const entry = this.deps.catalog.get(named.model);
    const maxTokens = input.params.maxTokens;
    if (entry && maxTokens !== undefined && maxTokens > entry.max_output) {
      throw invalidRequest(`Invalid value for 'max_tokens': ${named.model} writes at most ${entry.max_output} tokens per answer`, 'max_tokens', 'max_tokens_too_large');
    }
  }

  /**
   * The targets whose catalog entry can take the request (a model outside the catalog is taken at
   * the caller's word). A concrete model that cannot is refused rather than silently replaced.
   */
  private capable(targets: readonly Target[], required: Requirements, requested: string | undefined): readonly Target[] {
    if (!required.tools && !required.vision && !required.json) return targets;
    const lacking = (t: Target) => {
      const entry = this.deps.catalog.get(t.model);
      return entry === undefined ? [] : missingCapabilities(required, entry.capabilities);
    };
    if (requested !== undefined) {
      const missing = lacking(targets[0]!);
      if (missing.length > 0) throw noCapableModel(`The model '${requested}' does not support ${missing.join(' or ')}. Choose a model that does (GET /api/models lists capabilities), or 'auto'.`);
    }
    const able = targets.filter((t) => lacking(t).length === 0);
    if (able.length === 0) {
      const wanted = missingCapabilities(required, { tools: false, vision: false, json: false });
      throw noCapableModel(`No model this request may be routed to supports ${wanted.join(' and ')}. Configure one that does (its catalog capabilities), or name it in 'model'.`);
    }
    return able;
  }

  /**
   * The cascade's order, with targets that are cooling down, rate limited or behind an open circuit
   * moved to the end: tried last rather than first, and still tried if nothing else answers.
   */
  private healthyFirst(targets: readonly Target[]): readonly Target[] {
    // The usual case, everything available, allocates nothing.
    if (targets.every((t) => this.isAvailable(t.provider, t.model))) return targets;
    const available: Target[] = [];
    const resting: Target[] = [];
    for (const t of targets) (this.isAvailable(t.provider, t.model) ? available : resting).push(t);
    return [...available, ...resting];
  }

  private cascade(model: string | undefined, input: PlanRequest): readonly Target[] {
    try {
      return planCascade(model, input.priority, this.deps.catalog);
    } catch (err) {
      if (err instanceof UnknownModelError) throw modelNotFound(err.model);
      throw err;
    }
  }
}
