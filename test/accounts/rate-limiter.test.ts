import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FixedWindowRateLimiter, rateLimitHeaders } from '../../src/accounts/rate-limiter.js';

describe('FixedWindowRateLimiter', () => {
  it('allows the limit per minute per key, then refuses until the window resets', () => {
    let now = 1_800_000_010_000; // 10 s into a minute
    const limiter = new FixedWindowRateLimiter(() => now);
    for (let i = 0; i < 3; i++) assert.equal(limiter.hit('k', 3).allowed, true);
    const refused = limiter.hit('k', 3);
    assert.deepEqual({ allowed: refused.allowed, remaining: refused.remaining }, { allowed: false, remaining: 0 });
    assert.equal(refused.resetAt, 1_800_000_060_000);
    assert.deepEqual(rateLimitHeaders(refused, now), { 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '50' });
    assert.equal(limiter.hit('other', 3).allowed, true, 'keys are counted apart');
    now += 50_000;
    assert.equal(limiter.hit('k', 3).allowed, true, 'a new window');
    assert.equal(limiter.hit('k', 3).remaining, 1);
  });

  it('counts a request against every limit or none, and reports the tightest', () => {
    const limiter = new FixedWindowRateLimiter(() => 1_000);
    const limits = [
      { bucket: 'key:a', perMinute: 5 },
      { bucket: 'user:u', perMinute: 3 },
    ];
    const first = limiter.hitAll(limits);
    assert.deepEqual([first.allowed, first.limit, first.remaining, first.bucket], [true, 3, 2, 'user:u']);
    limiter.hitAll(limits);
    limiter.hitAll(limits);
    const refused = limiter.hitAll(limits);
    assert.deepEqual([refused.allowed, refused.bucket, refused.remaining], [false, 'user:u', 0]);
    // The refused request was not counted against the key: another key of the same user is refused too,
    // while the key itself still has its own two left once the user's window resets.
    assert.equal(
      limiter.hitAll([
        { bucket: 'key:b', perMinute: 5 },
        { bucket: 'user:u', perMinute: 3 },
      ]).allowed,
      false,
    );
    assert.equal(limiter.hit('key:a', 5).remaining, 1, 'three counted, not four');
  });

  it('drops finished windows once a minute, so idle buckets do not pile up', () => {
    let now = 0;
    const limiter = new FixedWindowRateLimiter(() => now);
    for (let i = 0; i < 1000; i++) limiter.hit(`addr:${i}`, 10);
    assert.equal(limiter.size, 1000);
    now += 60_000;
    limiter.hit('addr:new', 10);
    assert.equal(limiter.size, 1);
  });
});
