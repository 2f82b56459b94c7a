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
});
