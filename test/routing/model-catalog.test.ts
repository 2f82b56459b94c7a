import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineModel, loadCatalogFile, ModelCatalog } from '../../src/routing/model-catalog.js';

const claude = defineModel({
  id: 'claude-x',
  provider: 'anthropic',
  input_per_mtok: 3,
  output_per_mtok: 15,
  cache_read_per_mtok: 0.3,
  cache_write_per_mtok: 3.75,
  cache_write_1h_per_mtok: 6,
  context_window: 200_000,
  max_output: 8192,
  free: false,
});
const unpriced = defineModel({ id: 'plain', provider: 'openai', input_per_mtok: 2, output_per_mtok: 8, context_window: 128_000, max_output: 4096, free: false });
const catalog = new ModelCatalog([claude, unpriced], { free: [], fallback: [], priority: [] });
const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≈ ${expected}`);

describe('Prompt-cache prices', () => {
  it('price each prompt token as the provider bills it: fresh, read, written for five minutes or an hour', () => {
    // 1M prompt tokens: 100k fresh, 600k read, 200k written for 5 minutes, 100k for an hour; 10k out.
    const usage = { promptTokens: 1_000_000, completionTokens: 10_000, totalTokens: 1_010_000, cacheReadTokens: 600_000, cacheWriteTokens: 300_000, cacheWrite1hTokens: 100_000 };
    near(catalog.cost('claude-x', usage), 0.1 * 3 + 0.6 * 0.3 + 0.2 * 3.75 + 0.1 * 6 + 0.01 * 15);
    // Saved against the input price: reads gave back 0.6 × 2.70; writes cost 0.2 × 0.75 + 0.1 × 3 more.
    near(catalog.cacheSavings('claude-x', usage), 0.6 * 2.7 - 0.2 * 0.75 - 0.1 * 3);
    const uncached = { promptTokens: 1_000_000, completionTokens: 0, totalTokens: 1_000_000 };
    near(catalog.cost('claude-x', uncached), 3);
    assert.equal(catalog.cacheSavings('claude-x', uncached), 0);
  });

  it('assume no discount for a model whose cache prices the catalog does not give', () => {
    const usage = { promptTokens: 1_000_000, completionTokens: 0, totalTokens: 1_000_000, cacheReadTokens: 900_000 };
    near(catalog.cost('plain', usage), 2);
    assert.equal(catalog.cacheSavings('plain', usage), 0);
    assert.equal(catalog.cacheSavings('unknown', usage), 0);
  });

  it("the shipped catalog prices cache reads below the input price, and Anthropic's writes above it", () => {
    const shipped = loadCatalogFile('data/models.json');
    for (const m of shipped.models.filter((e) => !e.free)) {
      assert.ok(m.cache_read_per_mtok !== undefined && m.cache_read_per_mtok < m.input_per_mtok, `${m.id} has a cache-read price`);
      if (m.provider === 'anthropic') {
        assert.equal(m.cache_write_per_mtok, m.input_per_mtok * 1.25, `${m.id}: five-minute writes`);
        assert.equal(m.cache_write_1h_per_mtok, m.input_per_mtok * 2, `${m.id}: hour-long writes`);
      }
    }
  });
});
