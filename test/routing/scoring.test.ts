import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProviderId } from '../../src/providers/types.js';
import type { Classification, Complexity } from '../../src/routing/classifier.js';
import { loadCatalogFile } from '../../src/routing/model-catalog.js';
import { HEALTHY, planScored, QUALITY_FLOOR, WEIGHTS, type TargetHealthView } from '../../src/routing/scoring.js';

const catalog = loadCatalogFile('data/models.json');
const all = () => true;
const healthy = () => HEALTHY;
const cls = (complexity: Complexity, tokens = 50): Classification => ({
  complexity,
  score: 0,
  estimated_tokens: tokens,
  features: { token_score: 0, lexical_score: 0, task_type: 'question_answering', task_score: 0, code_blocks: 0, technical_terms: 0 },
});
const plan = (
  complexity: Complexity,
  opts: { tokens?: number; keys?: (p: ProviderId) => boolean; health?: (p: ProviderId, m: string) => TargetHealthView; maxTokens?: number; priority?: 'normal' | 'high' } = {},
) => planScored({ classification: cls(complexity, opts.tokens), maxTokens: opts.maxTokens, stream: false, priority: opts.priority ?? 'normal' }, catalog, opts.health ?? healthy, opts.keys ?? all);

describe('scoring router', () => {
  it('weighs quality more as complexity grows, and every weight row sums to 1', () => {
    for (const w of Object.values(WEIGHTS)) assert.equal(Math.round((w.quality + w.cost + w.latency) * 1000), 1000);
    assert.ok(WEIGHTS.simple.quality < WEIGHTS.moderate.quality && WEIGHTS.moderate.quality < WEIGHTS.complex.quality && WEIGHTS.complex.quality < WEIGHTS.expert.quality);
  });

  it('plans a table of requests: simple prompts go free, expert ones to the strongest models', () => {
    const table: Array<[Complexity, (m: string) => boolean]> = [
      ['simple', (m) => m.endsWith(':free') || m === 'openrouter/free'],
      ['moderate', (m) => m.endsWith(':free') || m.startsWith('gemini-2.5-flash')],
      ['complex', (m) => (catalog.get(m)?.quality ?? 0) >= QUALITY_FLOOR.complex],
      ['expert', (m) => ['claude-opus-4-1', 'claude-sonnet-4-5', 'gemini-2.5-pro'].includes(m)],
    ];
    for (const [complexity, expectTop] of table) {
      const p = plan(complexity);
      assert.ok(p.targets.length >= 1 && p.targets.length <= 4, complexity);
      assert.ok(expectTop(p.targets[0]!.model), `${complexity}: ${p.targets[0]!.model}`);
      assert.ok(
        p.targets.every((t) => t.quality >= QUALITY_FLOOR[p.complexity]),
        complexity,
      );
      const scores = p.targets.map((t) => t.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
      );
    }
  });

  it('treats free models sanely: cost scores 1, yet the quality floor still applies', () => {
    const expert = plan('expert');
    assert.ok(!expert.targets.some((t) => t.estimated_cost_usd === 0));
    assert.ok(expert.excluded.some((e) => e.model === 'openrouter/free' && /below the expert floor/.test(e.reason)));
    assert.equal(plan('simple').targets[0]!.estimated_cost_usd, 0);
  });

  it('filters by keys, context window, max output and health, saying why', () => {
    const onlyGemini = plan('moderate', { keys: (p) => p === 'gemini' });
    assert.ok(onlyGemini.targets.every((t) => t.provider === 'gemini'));
    assert.ok(onlyGemini.excluded.some((e) => e.reason === 'no openrouter key'));
    const huge = plan('complex', { tokens: 300_000 });
    assert.ok(huge.targets.every((t) => (catalog.get(t.model)?.context_window ?? 0) >= 300_000));
    assert.ok(huge.excluded.some((e) => /context window/.test(e.reason)));
    assert.ok(plan('simple', { maxTokens: 20_000 }).excluded.some((e) => /max output/.test(e.reason)));
    const sick = plan('expert', {
      health: (_p, m) =>
        m === 'claude-opus-4-1'
          ? { available: false, successRate: 1, latencyMs: undefined, reason: 'circuit open' }
          : m === 'gemini-2.5-pro'
            ? { available: true, successRate: 0.4, latencyMs: undefined }
            : HEALTHY,
    });
    assert.ok(!sick.targets.some((t) => t.model === 'claude-opus-4-1' || t.model === 'gemini-2.5-pro'));
    assert.ok(sick.excluded.some((e) => e.model === 'claude-opus-4-1' && e.reason === 'circuit open'));
    assert.ok(sick.excluded.some((e) => e.model === 'gemini-2.5-pro' && /40 % success/.test(e.reason)));
  });

  it('relaxes the floor to the strongest available rather than nothing', () => {
    const p = plan('expert', { keys: (prov) => prov === 'openrouter' });
    assert.equal(p.floorRelaxed, true);
    assert.equal(p.targets[0]!.model, 'z-ai/glm-4.5-air:free');
    assert.equal(plan('expert', { keys: () => false }).targets.length, 0);
  });

  it('treats priority "high" as at least complex', () => {
    const p = plan('simple', { priority: 'high' });
    assert.equal(p.complexity, 'complex');
    assert.ok(p.targets.every((t) => t.quality >= QUALITY_FLOOR.complex));
  });
});
