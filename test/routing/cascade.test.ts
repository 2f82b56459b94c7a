import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferProvider } from '../../src/providers/registry.js';
import { planCascade, UnknownModelError } from '../../src/routing/cascade.js';
import { defineModel, ModelCatalog, parseCatalog } from '../../src/routing/model-catalog.js';

const catalog = new ModelCatalog(
  [
    defineModel({ id: 'openrouter/free', provider: 'openrouter', aliases: [], input_per_mtok: 0, output_per_mtok: 0, context_window: 1, max_output: 1, free: true }),
    defineModel({ id: 'gemini-2.5-flash', provider: 'gemini', aliases: [], input_per_mtok: 0.3, output_per_mtok: 2.5, context_window: 1, max_output: 1, free: false }),
    defineModel({ id: 'claude-sonnet-4-5', provider: 'anthropic', aliases: ['claude-sonnet-4-5-20250929'], input_per_mtok: 3, output_per_mtok: 15, context_window: 1, max_output: 1, free: false }),
  ],
  { free: ['openrouter/free', 'x/y:free'], fallback: ['gemini-2.5-flash'], priority: ['claude-sonnet-4-5'] },
);

const names = (targets: ReadonlyArray<{ provider: string; model: string }>) => targets.map((t) => `${t.provider}:${t.model}`);

describe('planCascade', () => {
  const table: Array<[string | undefined, 'normal' | 'high', string[]]> = [
    [undefined, 'normal', ['openrouter:openrouter/free', 'openrouter:x/y:free', 'gemini:gemini-2.5-flash']],
    ['auto', 'normal', ['openrouter:openrouter/free', 'openrouter:x/y:free', 'gemini:gemini-2.5-flash']],
    ['', 'normal', ['openrouter:openrouter/free', 'openrouter:x/y:free', 'gemini:gemini-2.5-flash']],
    ['auto', 'high', ['anthropic:claude-sonnet-4-5', 'gemini:gemini-2.5-flash', 'openrouter:openrouter/free', 'openrouter:x/y:free']],
    ['gpt-4o-mini', 'normal', ['openai:gpt-4o-mini', 'openrouter:openrouter/free', 'openrouter:x/y:free', 'gemini:gemini-2.5-flash']],
    ['claude-sonnet-4-5-20250929', 'normal', ['anthropic:claude-sonnet-4-5-20250929', 'openrouter:openrouter/free', 'openrouter:x/y:free', 'gemini:gemini-2.5-flash']],
    // A concrete model already in the cascade is not tried twice.
    ['gemini-2.5-flash', 'normal', ['gemini:gemini-2.5-flash', 'openrouter:openrouter/free', 'openrouter:x/y:free']],
    ['claude-sonnet-4-5', 'high', ['anthropic:claude-sonnet-4-5', 'gemini:gemini-2.5-flash', 'openrouter:openrouter/free', 'openrouter:x/y:free']],
  ];
  for (const [model, priority, expected] of table) {
    it(`${String(model)} / ${priority}`, () => assert.deepEqual(names(planCascade(model, priority, catalog)), expected));
  }

  it('keeps each plan, frozen, and plans anew for another catalog', () => {
    const plan = planCascade('gpt-4o-mini', 'normal', catalog);
    assert.equal(planCascade('gpt-4o-mini', 'normal', catalog), plan);
    assert.notEqual(planCascade('gpt-4o-mini', 'high', catalog), plan);
    assert.ok(Object.isFrozen(plan) && plan.every((t) => Object.isFrozen(t)));
    assert.throws(() => (plan as unknown as unknown[]).push({}));
    const other = new ModelCatalog([], { free: ['openrouter/free'], fallback: [], priority: [] }, []);
    assert.deepEqual(names(planCascade(undefined, 'normal', other)), ['openrouter:openrouter/free']);
  });

  it('rejects a model no provider serves', () => {
    assert.throws(() => planCascade('llama3', 'normal', catalog), UnknownModelError);
  });
});

describe('inferProvider', () => {
  const table: Array<[string, string | undefined]> = [
    ['vendor/model:free', 'openrouter'],
    ['anthropic/claude-3.5-sonnet', 'openrouter'],
    ['claude-opus-4-1', 'anthropic'],
    ['gemini-2.0-flash', 'gemini'],
    ['models/gemini-2.5-pro', 'openrouter'], // has a slash: OpenRouter's id shape wins
    ['gemma-3-27b-it', 'gemini'],
    ['gpt-4o', 'openai'],
    ['o3-mini', 'openai'],
    ['chatgpt-4o-latest', 'openai'],
    ['llama3', undefined],
  ];
  for (const [model, provider] of table) it(model, () => assert.equal(inferProvider(model), provider));
});

describe('ModelCatalog', () => {
  it('prices usage per million tokens, by id or alias, and 0 for unknown models', () => {
    const usage = { promptTokens: 1_000_000, completionTokens: 100_000, totalTokens: 1_100_000 };
    assert.equal(catalog.cost('claude-sonnet-4-5', usage), 3 + 1.5);
    assert.equal(catalog.cost('claude-sonnet-4-5-20250929', usage), 4.5);
    assert.equal(catalog.cost('unknown', usage), 0);
    assert.equal(catalog.cost('claude-sonnet-4-5', undefined), 0);
  });

  it('names the first mistake in a catalog file', () => {
    assert.throws(() => parseCatalog({ cascade: { free: [], fallback: [], priority: [] }, models: [{ id: 'x', provider: 'nope' }] }, 'models.json'), /models\.json: models\.0\.provider/);
  });

  it('the shipped data/models.json is valid and its cascade resolves', async () => {
    const { loadCatalogFile } = await import('../../src/routing/model-catalog.js');
    const shipped = loadCatalogFile('data/models.json');
    assert.ok(shipped.cascade.free.length > 0);
    for (const name of [...shipped.cascade.free, ...shipped.cascade.fallback, ...shipped.cascade.priority]) assert.ok(shipped.get(name), name);
  });
});
