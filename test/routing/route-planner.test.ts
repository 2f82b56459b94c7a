/** The routing policy alone: which targets, in which order, or which refusal, for a request. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/core/errors.js';
import type { ChatMessage } from '../../src/providers/types.js';
import { RoutePlanner, type PlanCaller, type PlanRequest } from '../../src/routing/route-planner.js';
import { defineModel, ModelCatalog } from '../../src/routing/model-catalog.js';
import { HEALTHY } from '../../src/routing/scoring.js';

const model = (id: string, provider: 'openai' | 'openrouter' | 'gemini', free = false) =>
  defineModel({ id, provider, aliases: [], input_per_mtok: free ? 0 : 1, output_per_mtok: free ? 0 : 2, context_window: 100_000, max_output: 8_000, free });
const catalog = new ModelCatalog([model('gpt-4o-mini', 'openai'), model('a/free:free', 'openrouter', true), model('b/free:free', 'openrouter', true), model('gemini-2.5-flash', 'gemini')], {
  free: ['a/free:free', 'b/free:free'],
  fallback: ['gemini-2.5-flash'],
  priority: [],
});
const gemini = { provider: 'gemini' as const, model: 'gemini-2.5-flash' };
const ctx: PlanCaller = { defaultModel: undefined, routePolicy: 'cascade', credentials: {} };
type Input = PlanRequest & { messages: ChatMessage[] };
const input = (over: Partial<Input> = {}): Input => ({ model: 'auto', messages: [{ role: 'user', content: 'q' }], params: {}, stream: false, priority: 'normal', ...over });
const planner = (resting: string[] = [], missing: string[] = []) =>
  new RoutePlanner({ catalog, health: () => HEALTHY, available: (_p, m) => !resting.includes(m), notFoundUpstream: (_p, m) => missing.includes(m) });
const plan = (p: RoutePlanner, over: Partial<Input> = {}) => p.decide(input(over), ctx, input(over).messages);
const models = (p: RoutePlanner, over: Partial<Input> = {}) => plan(p, over).targets.map((t) => t.model);

describe('RoutePlanner', () => {
  const table: Array<[string, RoutePlanner, Partial<Input>, string[]]> = [
    ['auto walks the cascade', planner(), {}, ['a/free:free', 'b/free:free', 'gemini-2.5-flash']],
    ['resting targets go last, not away', planner(['a/free:free']), {}, ['b/free:free', 'gemini-2.5-flash', 'a/free:free']],
    ['a named model comes first, the cascade behind it', planner(), { model: 'gpt-4o-mini' }, ['gpt-4o-mini', 'a/free:free', 'b/free:free', 'gemini-2.5-flash']],
    ['auto keeps the target holding the prompt cache', planner(), { cacheHolder: gemini }, ['gemini-2.5-flash', 'a/free:free', 'b/free:free']],
    ['…while it is healthy', planner(['gemini-2.5-flash']), { cacheHolder: gemini }, ['a/free:free', 'b/free:free', 'gemini-2.5-flash']],
    ['…and never over a model the caller named', planner(), { model: 'gpt-4o-mini', cacheHolder: gemini }, ['gpt-4o-mini', 'a/free:free', 'b/free:free', 'gemini-2.5-flash']],
    ['a holder the plan does not contain changes nothing', planner(), { cacheHolder: { provider: 'openai', model: 'gpt-4o' } }, ['a/free:free', 'b/free:free', 'gemini-2.5-flash']],
    ['the scoring router, left alone, prefers the free models', planner(), { route: 'score' }, ['a/free:free', 'b/free:free', 'gemini-2.5-flash']],
    ['the scoring router keeps it too', planner(), { route: 'score', cacheHolder: gemini }, ['gemini-2.5-flash', 'a/free:free', 'b/free:free']],
  ];
  for (const [name, p, over, expected] of table) it(name, () => assert.deepEqual(models(p, over), expected));

  it('says which target it kept for the prompt cache', () => {
    assert.deepEqual(plan(planner(), { cacheHolder: gemini }).cacheHolder, gemini);
    assert.equal(plan(planner(), {}).cacheHolder, undefined);
  });

  it('marks the named target, and only for a named model', () => {
    assert.equal(plan(planner(), { model: 'gpt-4o-mini' }).named?.model, 'gpt-4o-mini');
    assert.equal(plan(planner()).named, undefined);
  });

  it('refuses at once a named model its upstream said it does not know, and max_tokens beyond its limit', () => {
    assert.throws(
      () => plan(planner([], ['gpt-4o-mini']), { model: 'gpt-4o-mini' }),
      (e: unknown) => e instanceof GatewayError && e.status === 404 && e.param === 'model',
    );
    assert.throws(
      () => plan(planner(), { model: 'gpt-4o-mini', params: { maxTokens: 9_000 } }),
      (e: unknown) => e instanceof GatewayError && e.status === 400 && e.param === 'max_tokens',
    );
    assert.deepEqual(models(planner([], ['a/free:free']), { params: { maxTokens: 9_000 } }).length, 3, 'auto is not refused for either');
  });

  it('refuses a name no provider serves with a 404', () => {
    assert.throws(
      () => plan(planner(), { model: 'no-such-model' }),
      (e: unknown) => e instanceof GatewayError && e.status === 404,
    );
  });
});
