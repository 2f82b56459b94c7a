/**
 * The scoring router, pure: for one classified request, every model that can take it, scored by
 * quality for its complexity against cost and latency, best first (one target and up to three
 * fallbacks). The seed divided quality by price, which is infinite for free models; here cost is
 * a bounded score, 1 / (1 + cost / reference), so free models score 1 on cost and still have to
 * clear the complexity's quality floor.
 */
import type { ProviderId } from '../providers/types.js';
import type { Classification, Complexity } from './classifier.js';
import type { ModelCatalog, ModelEntry } from './model-catalog.js';
import { missingCapabilities, type Requirements } from './requirements.js';

/** What the router knows of a target's health right now (see routing/health.ts). */
export interface TargetHealthView {
  /** False while its circuit is open or it is cooling down after a 429 or an exhausted quota. */
  available: boolean;
  /** Recent success rate, 0–1 (1 with no data). */
  successRate: number;
  /** Measured latency (EWMA), when there is any. */
  latencyMs: number | undefined;
  /** Why it is unavailable. */
  reason?: string;
}

export type HealthLookup = (provider: ProviderId, model: string) => TargetHealthView;

export const HEALTHY: TargetHealthView = { available: true, successRate: 1, latencyMs: undefined };

export interface ScoringRequest {
  classification: Classification;
  /** The caller's max_tokens, if any. */
  maxTokens: number | undefined;
  stream: boolean;
  priority: 'normal' | 'high';
  /** What the request carries beyond text (tools, images, a JSON format); absent = nothing. */
  required?: Requirements;
}

export interface ScoredTarget {
  provider: ProviderId;
  model: string;
  score: number;
  quality: number;
  estimated_cost_usd: number;
  expected_latency_ms: number;
}

export interface ExcludedTarget {
  provider: ProviderId;
  model: string;
  reason: string;
}

export interface ScoredPlan {
  complexity: Complexity;
  targets: ScoredTarget[];
  excluded: ExcludedTarget[];
  /** True when no model met the quality floor and the best available were taken anyway. */
  floorRelaxed: boolean;
}

/** The least quality a class of request is worth sending to. */
export const QUALITY_FLOOR: Record<Complexity, number> = { simple: 0, moderate: 60, complex: 70, expert: 85 };

/** How much quality, cost and latency weigh for each class (each row sums to 1). */
export const WEIGHTS: Record<Complexity, { quality: number; cost: number; latency: number }> = {
  simple: { quality: 0.15, cost: 0.7, latency: 0.15 },
  moderate: { quality: 0.35, cost: 0.5, latency: 0.15 },
  complex: { quality: 0.6, cost: 0.3, latency: 0.1 },
  expert: { quality: 0.8, cost: 0.15, latency: 0.05 },
};

/** A request cost that scores 0.5 on cost: a fifth of a US cent. */
const REFERENCE_COST_USD = 0.002;
/** A latency that scores 0.5: two seconds. */
const REFERENCE_LATENCY_MS = 2_000;
/** Output assumed when the caller sets no max_tokens. */
const DEFAULT_OUTPUT_TOKENS = 500;
export const MAX_TARGETS = 4;

const ORDER: readonly Complexity[] = ['simple', 'moderate', 'complex', 'expert'];

export function scoreModel(m: ModelEntry, complexity: Complexity, inputTokens: number, outputTokens: number, health: TargetHealthView): ScoredTarget {
  const w = WEIGHTS[complexity];
  const cost = (inputTokens * m.input_per_mtok + outputTokens * m.output_per_mtok) / 1_000_000;
  const latency = health.latencyMs ?? m.typical_latency_ms;
  const raw = w.quality * (m.quality / 100) + w.cost / (1 + cost / REFERENCE_COST_USD) + w.latency / (1 + latency / REFERENCE_LATENCY_MS);
  return {
    provider: m.provider,
    model: m.id,
    // A flaky target is worth less: scaled by its recent success rate.
    score: Math.round(raw * health.successRate * 10_000) / 10_000,
    quality: m.quality,
    estimated_cost_usd: Math.round(cost * 1e8) / 1e8,
    expected_latency_ms: Math.round(latency),
  };
}

export function planScored(request: ScoringRequest, catalog: ModelCatalog, health: HealthLookup, hasCredentials: (provider: ProviderId) => boolean): ScoredPlan {
  const { classification } = request;
  // priority "high" asks for a strong model whatever the prompt looks like.
  const complexity = request.priority === 'high' && ORDER.indexOf(classification.complexity) < 2 ? 'complex' : classification.complexity;
  const input = classification.estimated_tokens;
  const excluded: ExcludedTarget[] = [];
  const candidates: ScoredTarget[] = [];
  for (const m of catalog.models) {
    const output = Math.min(request.maxTokens ?? DEFAULT_OUTPUT_TOKENS, m.max_output);
    const h = health(m.provider, m.id);
    const missing = request.required ? missingCapabilities(request.required, m.capabilities) : [];
    let reason: string | undefined;
    if (!hasCredentials(m.provider)) reason = `no ${m.provider} key`;
    else if (m.context_window < input + output) reason = `context window ${m.context_window} < ${input} + ${output} tokens`;
    else if (request.maxTokens !== undefined && request.maxTokens > m.max_output) reason = `max_tokens ${request.maxTokens} > its max output ${m.max_output}`;
    else if (request.stream && !m.capabilities.streaming) reason = 'cannot stream';
    else if (missing.length > 0) reason = `no support for ${missing.join(', ')}`;
    else if (!h.available) reason = h.reason ?? 'unavailable';
    else if (h.successRate <= 0.5) reason = `unhealthy (${Math.round(h.successRate * 100)} % success)`;
    if (reason !== undefined) {
      excluded.push({ provider: m.provider, model: m.id, reason });
      continue;
    }
    candidates.push(scoreModel(m, complexity, input, output, h));
  }
  const floor = QUALITY_FLOOR[complexity];
  const meeting = candidates.filter((c) => c.quality >= floor);
  for (const c of candidates) if (c.quality < floor) excluded.push({ provider: c.provider, model: c.model, reason: `quality ${c.quality} below the ${complexity} floor ${floor}` });
  const byScore = (a: ScoredTarget, b: ScoredTarget) => b.score - a.score || b.quality - a.quality || a.model.localeCompare(b.model);
  if (meeting.length > 0) return { complexity, targets: meeting.sort(byScore).slice(0, MAX_TARGETS), excluded, floorRelaxed: false };
  // Nothing strong enough is available: the strongest that is, rather than nothing.
  const strongest = candidates.sort((a, b) => b.quality - a.quality || byScore(a, b)).slice(0, MAX_TARGETS);
  return { complexity, targets: strongest, excluded: excluded.filter((e) => !strongest.some((s) => s.model === e.model)), floorRelaxed: true };
}
