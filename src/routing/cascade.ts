/**
 * The free-first cascade as a pure planner: which targets to try, in order, for one request.
 * 1. A concrete model goes first to its own provider; the cascade follows as fallback.
 * 2. `auto` (or no model): the free tier, then the direct fallback (Gemini).
 * 3. priority "high": the priority models (Claude) first, then the fallback, then the free tier.
 */
import { inferProvider } from '../providers/registry.js';
import type { ProviderId } from '../providers/types.js';
import type { ModelCatalog } from './model-catalog.js';

export interface Target {
  provider: ProviderId;
  model: string;
}

export type Priority = 'normal' | 'high';

export class UnknownModelError extends Error {
  constructor(readonly model: string) {
    super(`The model '${model}' does not exist or is not served by this gateway`);
    this.name = 'UnknownModelError';
  }
}

/** `auto`, an empty name and no name all mean "let the gateway choose". */
export function isAutoModel(model: string | undefined): boolean {
  return model === undefined || model === '' || model === 'auto';
}

/** A model name → the provider that serves it: the catalog first, then the name's shape. */
export function resolveTarget(model: string, catalog: ModelCatalog): Target | undefined {
  const entry = catalog.get(model);
  if (entry) return { provider: entry.provider, model };
  const provider = inferProvider(model);
  return provider ? { provider, model } : undefined;
}

/**
 * Plans are the same for the same (catalog, model, priority), and every request needs one: they are
 * kept, frozen so no caller can change another's. Model names are the caller's choice, so the
 * number kept is bounded.
 */
const PLANS = new WeakMap<ModelCatalog, Map<string, readonly Target[]>>();
const MAX_PLANS = 1_000;

export function planCascade(requested: string | undefined, priority: Priority, catalog: ModelCatalog): readonly Target[] {
  let plans = PLANS.get(catalog);
  if (!plans) PLANS.set(catalog, (plans = new Map()));
  const key = `${priority}\u0000${requested ?? ''}`;
  let plan = plans.get(key);
  if (!plan) {
    plan = Object.freeze(buildPlan(requested, priority, catalog).map((t) => Object.freeze(t)));
    if (plans.size >= MAX_PLANS) plans.clear();
    plans.set(key, plan);
  }
  return plan;
}

function buildPlan(requested: string | undefined, priority: Priority, catalog: ModelCatalog): Target[] {
  const { free, fallback, priority: premium } = catalog.cascade;
  const order = priority === 'high' ? [...premium, ...fallback, ...free] : [...free, ...fallback];
  const names = isAutoModel(requested) ? order : [requested as string, ...order];
  const targets: Target[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const target = resolveTarget(name, catalog);
    if (!target) {
      if (name === requested) throw new UnknownModelError(name);
      continue; // a misconfigured cascade entry is caught at start-up, not per request
    }
    const key = `${target.provider}\u0000${target.model}`;
    if (seen.has(key)) continue;
    seen.add(key);
    targets.push(target);
  }
  return targets;
}
