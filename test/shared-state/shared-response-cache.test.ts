import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CachedAnswer } from '../../src/cache/response-cache.js';
import { SharedStateFallback } from '../../src/shared-state/fallback.js';
import { SharedRedis } from '../../src/shared-state/shared-redis.js';
import { SharedResponseCache } from '../../src/shared-state/shared-response-cache.js';
import { REDIS_MISSING, startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { failInCi, needs } from '../helpers/requirements.js';

const answer = (text: string): CachedAnswer => ({ provider: 'gemini', model: 'gemini-2.5-flash', upstreamModel: 'gemini-2.5-flash', text, finishReason: 'stop', storedAt: 1 });
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('the answer cache in Redis', needs(REDIS_MISSING), () => {
  failInCi(REDIS_MISSING);
  let redis: PrivateRedis;
  let shared: SharedRedis;
  before(async () => {
    redis = await startPrivateRedis();
    shared = new SharedRedis({ url: redis.url, prefix: 'unit:', timeoutMs: 200 });
  });
  after(async () => {
    await shared?.close();
    await redis?.stop();
  });
  const cache = (maxEntries = 100) => new SharedResponseCache(shared, { maxEntries, maxBytes: 1_000_000, ttlMs: 60_000, now: Date.now, fallback: new SharedStateFallback() });

  it('keeps at most CACHE_MAX_SIZE entries, the oldest dropped first, seen by every instance', async () => {
    const writer = cache(3);
    for (let i = 0; i < 5; i++) {
      writer.set(`k${i}`, answer(`answer ${i}`));
      await settle();
    }
    const reader = cache(3);
    assert.equal(await reader.get('k0'), undefined);
    assert.equal(await reader.get('k1'), undefined);
    assert.equal((await reader.get('k4'))?.text, 'answer 4');
    assert.equal(writer.stats().entries, 3);
    assert.equal(await shared.client.ttl('ac:k4').then((t) => t > 0 && t <= 60), true, 'with the cache TTL');
  });

  it('treats what it cannot read back as a miss: a tampered entry, or Redis gone', async () => {
    await shared.client.set('ac:tampered', JSON.stringify({ provider: 'nope', text: 1 }));
    assert.equal(await cache().get('tampered'), undefined);
    await shared.client.set('ac:garbage', '{not json');
    assert.equal(await cache().get('garbage'), undefined);
    await redis.kill();
    const fallback = new SharedStateFallback();
    const offline = new SharedResponseCache(shared, { maxEntries: 10, maxBytes: 1_000_000, ttlMs: 60_000, now: Date.now, fallback });
    assert.equal(await offline.get('k4'), undefined);
    offline.set('k9', answer('kept near'));
    assert.equal((await offline.get('k9'))?.text, 'kept near', 'the in-process level still answers');
    await settle();
    assert.equal(fallback.degraded, true);
    await redis.start();
  });
});
