import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../src/providers/errors.js';
import { parseGeminiError } from '../../src/providers/gemini/parse-error.js';
import { DEFAULT_HEALTH_OPTIONS, HealthTracker } from '../../src/routing/health.js';
import { nextPacificMidnight } from '../../src/providers/gemini/quota.js';

const fail = (status: number, extra: Partial<ConstructorParameters<typeof UpstreamError>[0]> = {}) =>
  new UpstreamError({ provider: 'gemini', kind: 'http', status, message: `HTTP ${status}`, ...extra });
const timeout = () => new UpstreamError({ provider: 'gemini', kind: 'timeout', message: 'no answer' });

function tracker(start = Date.parse('2026-11-22T12:00:00Z')) {
  let now = start;
  const h = new HealthTracker(() => now, { ...DEFAULT_HEALTH_OPTIONS, openMs: 30_000, freeTier: { perMinute: 3, perDay: 5 } });
  return { h, advance: (ms: number) => (now += ms), at: () => now };
}

describe('health: circuit breaker on a fake clock', () => {
  it('opens after consecutive retryable failures, half-opens after the cool-down, and one probe decides', () => {
    const { h, advance } = tracker();
    for (let i = 0; i < 4; i++) h.recordFailure('gemini', 'g', fail(503));
    assert.equal(h.view('gemini', 'g').available, true, 'four failures: still closed');
    h.recordFailure('gemini', 'g', timeout());
    assert.deepEqual([h.view('gemini', 'g').available, h.view('gemini', 'g').reason], [false, 'circuit open']);
    advance(29_999);
    assert.equal(h.view('gemini', 'g').available, false);
    advance(2);
    assert.equal(h.report()[0]!.circuit, 'half_open');
    assert.equal(h.view('gemini', 'g').available, true, 'half-open: one probe may go');
    h.beforeCall('gemini', 'g');
    assert.equal(h.view('gemini', 'g').available, false, 'the probe is taken: no second one');
    h.recordFailure('gemini', 'g', fail(500));
    assert.equal(h.report()[0]!.circuit, 'open', 'a failed probe reopens');
    advance(30_001);
    h.beforeCall('gemini', 'g');
    h.recordSuccess('gemini', 'g', 120);
    assert.equal(h.report()[0]!.circuit, 'closed', 'a good probe closes');
    assert.equal(h.view('gemini', 'g').available, true);
  });

  it('opens on an error rate over the threshold, not only on a streak', () => {
    const { h } = tracker();
    for (let i = 0; i < 12; i++) {
      if (i % 3 === 0) h.recordSuccess('gemini', 'g', 100);
      else h.recordFailure('gemini', 'g', fail(502));
    }
    assert.equal(h.view('gemini', 'g').available, false);
  });

  it("never opens on the request's own faults (400/413/422)", () => {
    const { h } = tracker();
    for (let i = 0; i < 20; i++) h.recordFailure('gemini', 'g', fail(400));
    assert.deepEqual(h.view('gemini', 'g'), { available: true, successRate: 1, latencyMs: undefined });
  });

  it('cools a 429 for its Retry-After, and a spent daily quota until midnight in Los Angeles', () => {
    const { h, advance, at } = tracker();
    h.recordFailure('gemini', 'flash', fail(429, { retryAfterMs: 45_000 }));
    assert.match(h.view('gemini', 'flash').reason ?? '', /^rate limited until/);
    advance(45_001);
    assert.equal(h.view('gemini', 'flash').available, true);
    const quota = parseGeminiError(
      429,
      {},
      JSON.stringify({
        error: {
          code: 429,
          status: 'RESOURCE_EXHAUSTED',
          message: 'Quota exceeded',
          details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' }] }],
        },
      }),
    );
    assert.equal(quota.dailyQuotaExhausted, true);
    h.recordFailure('gemini', 'pro', quota);
    const until = nextPacificMidnight(at());
    assert.equal(new Date(until).toISOString(), '2026-11-23T08:00:00.000Z'); // PST is UTC-8 in November
    // Daylight-saving change days: the offset at the coming midnight is the one that counts.
    assert.equal(new Date(nextPacificMidnight(Date.parse('2025-03-09T09:30:00Z'))).toISOString(), '2025-03-10T07:00:00.000Z');
    assert.equal(new Date(nextPacificMidnight(Date.parse('2025-11-02T08:30:00Z'))).toISOString(), '2025-11-03T08:00:00.000Z');
    assert.equal(new Date(nextPacificMidnight(Date.parse('2025-07-01T06:59:59Z'))).toISOString(), '2025-07-01T07:00:00.000Z');
    assert.match(h.view('gemini', 'pro').reason ?? '', /daily quota exhausted until 2026-11-23T08:00:00.000Z/);
  });

  it('keeps a latency EWMA and a success rate over a rolling window, once there are enough samples', () => {
    const { h } = tracker();
    h.recordSuccess('gemini', 'g', 100);
    h.recordSuccess('gemini', 'g', 200);
    assert.equal(h.view('gemini', 'g').latencyMs, 120);
    h.recordFailure('gemini', 'g', fail(500));
    assert.equal(h.view('gemini', 'g').successRate, 1, 'one failure in three calls says nothing yet');
    for (let i = 0; i < 6; i++) h.recordSuccess('gemini', 'g', 100);
    h.recordFailure('gemini', 'g', fail(500));
    assert.equal(h.view('gemini', 'g').successRate, 0.8);
    for (let i = 0; i < 25; i++) h.recordSuccess('gemini', 'g', 100);
    assert.equal(h.view('gemini', 'g').successRate, 1, 'old failures leave the window');
  });

  it('forgets a probe that never reports back (its caller left), and a probe that succeeds clears the record', () => {
    const { h, advance } = tracker();
    for (let i = 0; i < 5; i++) h.recordFailure('gemini', 'g', fail(503));
    advance(30_001);
    h.beforeCall('gemini', 'g'); // the probe goes out … and its caller leaves: no outcome is recorded
    assert.equal(h.view('gemini', 'g').available, false);
    advance(30_001);
    assert.equal(h.view('gemini', 'g').available, true, 'half-open again: another probe may go');
    h.beforeCall('gemini', 'g');
    h.recordFailure('gemini', 'g', fail(429, { retryAfterMs: 1000 })); // a 429 releases the probe too
    advance(1001);
    h.beforeCall('gemini', 'g');
    h.recordSuccess('gemini', 'g', 100);
    assert.deepEqual([h.report()[0]!.circuit, h.report()[0]!.samples, h.view('gemini', 'g').successRate], ['closed', 1, 1]);
  });

  it('does not grow without bound on caller-invented model names, nor track request faults', () => {
    const { h } = tracker();
    for (let i = 0; i < 1500; i++) h.recordFailure('openrouter', `junk/model-${i}`, fail(503));
    assert.ok(h.report().length <= 1000);
    h.reset();
    h.recordFailure('openrouter', 'x/bad-request', fail(400));
    assert.equal(h.report().length, 0);
  });

  it("counts OpenRouter's free tier per minute and per day, skipping it once spent", () => {
    const { h, advance } = tracker(Date.parse('2026-11-22T23:58:30Z'));
    for (let i = 0; i < 3; i++) h.beforeCall('openrouter', 'x/y:free');
    assert.match(h.view('openrouter', 'openrouter/free').reason ?? '', /3 requests per minute/);
    assert.equal(h.view('openrouter', 'paid/model').available, true, 'paid models are not counted');
    advance(60_000);
    h.beforeCall('openrouter', 'x/y:free');
    h.beforeCall('openrouter', 'x/y:free');
    assert.match(h.view('openrouter', 'x/y:free').reason ?? '', /5 requests for today/);
    advance(60_000); // past midnight UTC
    assert.equal(h.view('openrouter', 'x/y:free').available, true);
    const perDay = new UpstreamError({ provider: 'openrouter', kind: 'http', status: 429, message: 'Rate limit exceeded: free-models-per-day' });
    h.recordFailure('openrouter', 'x/y:free', perDay);
    assert.match(h.view('openrouter', 'z/w:free').reason ?? '', /requests spent until 2026-11-24T00:00:00.000Z/);
  });

  it("reads OpenRouter's rate-limit headers: none remaining skips the free tier until the reset", () => {
    const { h, at, advance } = tracker();
    h.recordSuccess('openrouter', 'x/y:free', 300, { 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': String(at() + 30_000) });
    assert.equal(h.view('openrouter', 'x/y:free').available, true);
    h.recordSuccess('openrouter', 'x/y:free', 300, { 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(at() + 30_000) });
    assert.match(h.view('openrouter', 'openrouter/free').reason ?? '', /requests spent until/);
    assert.equal(h.view('openrouter', 'paid/model').available, true);
    advance(30_001);
    assert.equal(h.view('openrouter', 'x/y:free').available, true);
  });
});

describe('health: available() without the view', () => {
  it('agrees with view().available through random failures, successes, cooling, probes and the free tier', () => {
    const { h, advance } = tracker();
    const targets: Array<['gemini' | 'openrouter', string]> = [
      ['gemini', 'g'],
      ['openrouter', 'x/y:free'],
      ['openrouter', 'paid/model'],
    ];
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const events = [
      (p: 'gemini' | 'openrouter', m: string) => h.recordFailure(p, m, fail(503)),
      (p: 'gemini' | 'openrouter', m: string) => h.recordFailure(p, m, fail(429, { retryAfterMs: 20_000 })),
      (p: 'gemini' | 'openrouter', m: string) => h.recordFailure(p, m, timeout()),
      (p: 'gemini' | 'openrouter', m: string) => h.recordSuccess(p, m, 100),
      (p: 'gemini' | 'openrouter', m: string) => h.beforeCall(p, m),
      () => advance(Math.floor(rnd() * 40_000)),
    ];
    let unavailable = 0;
    for (let i = 0; i < 3_000; i++) {
      const [p, m] = targets[Math.floor(rnd() * targets.length)]!;
      events[Math.floor(rnd() * events.length)]!(p, m);
      for (const [tp, tm] of targets) {
        assert.equal(h.available(tp, tm), h.view(tp, tm).available, `step ${i}, ${tp}/${tm}`);
        if (!h.available(tp, tm)) unavailable++;
      }
    }
    assert.ok(unavailable > 500, 'unavailable states were reached');
  });
});
