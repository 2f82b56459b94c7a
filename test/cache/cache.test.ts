import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheKey, canonicalJson, isCacheable, type CacheKeyInput } from '../../src/cache/cache-key.js';
import { MemoryResponseCache, type CachedAnswer } from '../../src/cache/response-cache.js';

const base: CacheKeyInput = { tenant: 'u1', model: 'auto', route: 'cascade', priority: 'normal', messages: [{ role: 'user', content: 'hi' }], params: { temperature: 0, maxTokens: 10 } };
const answer = (text: string): CachedAnswer => ({ provider: 'openrouter', model: 'm', upstreamModel: 'm', text, finishReason: 'stop', storedAt: 0 });

describe('cache keys', () => {
  it('are canonical: key order and absent fields do not matter', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] }), '{"a":[{"d":2}],"b":1}');
    assert.equal(cacheKey(base), cacheKey({ ...base, params: { maxTokens: 10, temperature: 0 } }));
    assert.match(cacheKey(base), /^[0-9a-f]{64}$/);
  });

  it('differ by tenant, model, route, prompt, temperature and max tokens', () => {
    const variants: CacheKeyInput[] = [
      { ...base, tenant: 'u2' },
      { ...base, model: 'gpt-4o-mini' },
      { ...base, route: 'score' },
      { ...base, priority: 'high' },
      { ...base, messages: [{ role: 'user', content: 'hi!' }] },
      { ...base, messages: [{ role: 'system', content: 'hi' }] },
      { ...base, params: { temperature: 0.1, maxTokens: 10 } },
      { ...base, params: { temperature: 0, maxTokens: 11 } },
    ];
    const keys = new Set([cacheKey(base), ...variants.map(cacheKey)]);
    assert.equal(keys.size, variants.length + 1);
  });

  it('are only made for deterministic enough sampling', () => {
    assert.equal(isCacheable({}, 0), true);
    assert.equal(isCacheable({ temperature: 0 }, 0), true);
    assert.equal(isCacheable({ temperature: 0.7 }, 0), false);
    assert.equal(isCacheable({ temperature: 0.7 }, 1), true);
  });
});

describe('MemoryResponseCache', () => {
  it('expires entries after the TTL, evicts the least recently used, and counts hits and misses', () => {
    let now = 1_000_000;
    const cache = new MemoryResponseCache({ maxEntries: 2, maxBytes: 1_000_000, ttlMs: 1000, now: () => now });
    cache.set('a', answer('A'));
    cache.set('b', answer('B'));
    assert.equal(cache.get('a')?.text, 'A'); // a is now the most recently used
    cache.set('c', answer('C')); // evicts b
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('c')?.text, 'C');
    now += 1001;
    assert.equal(cache.get('a'), undefined, 'expired');
    const stats = cache.stats();
    assert.deepEqual(stats, { hits: 2, misses: 2, entries: stats.entries, max_entries: 2, bytes: stats.bytes, max_bytes: 1_000_000, ttl_seconds: 1 });
  });

  it('is bounded in bytes as well as entries: long answers push older ones out, and one larger than the bound is not kept', () => {
    const cache = new MemoryResponseCache({ maxEntries: 1000, maxBytes: 50_000, ttlMs: 60_000 });
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, answer('x'.repeat(10_000)));
    const { entries, bytes } = cache.stats();
    assert.ok(entries <= 2 && bytes <= 50_000, `${entries} entries, ${bytes} bytes`);
    assert.equal(cache.get('k9')?.text.length, 10_000, 'the newest stays');
    cache.set('huge', answer('y'.repeat(30_000)));
    assert.equal(cache.get('huge'), undefined);
  });
});
