import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DailyUsageCounter, nextUtcMidnight, utcDay } from '../../src/accounts/daily-usage.js';
import type { DailyUsageRepository, UsageDelta } from '../../src/store/daily-usage-repository.js';

function fakeRepo() {
  const stored = new Map<string, number>();
  let reads = 0;
  let failing = false;
  const repo = {
    get: async (userId: string, day: string) => {
      reads++;
      return { tokens: stored.get(`${userId}|${day}`) ?? 0, requests: 0 };
    },
    add: async (deltas: readonly UsageDelta[]) => {
      if (failing) throw new Error('down');
      for (const d of deltas) stored.set(`${d.userId}|${d.day}`, (stored.get(`${d.userId}|${d.day}`) ?? 0) + d.tokens);
    },
  } as unknown as DailyUsageRepository;
  return { repo, stored, reads: () => reads, fail: (v: boolean) => (failing = v) };
}

describe('DailyUsageCounter', () => {
  it('counts locally, writes increments in batches, and sees other instances after a refresh', async () => {
    let now = Date.parse('2026-11-22T10:00:00Z');
    const f = fakeRepo();
    const counter = new DailyUsageCounter(f.repo, { now: () => now, refreshMs: 5000, onError: () => undefined });
    assert.equal(await counter.tokensToday('u'), 0);
    counter.add('u', 100);
    counter.add('u', 50);
    assert.equal(await counter.tokensToday('u'), 150);
    assert.equal(f.reads(), 1, 'no read per request');
    await counter.flush();
    assert.equal(f.stored.get('u|2026-11-22'), 150);
    assert.equal(await counter.tokensToday('u'), 150);
    f.stored.set('u|2026-11-22', 400); // another instance counted 250 more
    now += 6000;
    assert.equal(await counter.tokensToday('u'), 400);
  });

  it('keeps unwritten counts when the database fails, and starts afresh on a new UTC day', async () => {
    let now = Date.parse('2026-11-22T23:59:00Z');
    const f = fakeRepo();
    const errors: unknown[] = [];
    const counter = new DailyUsageCounter(f.repo, { now: () => now, refreshMs: 5000, onError: (e) => errors.push(e) });
    await counter.tokensToday('u');
    counter.add('u', 10);
    f.fail(true);
    await counter.flush();
    assert.equal(errors.length, 1);
    f.fail(false);
    await counter.flush();
    assert.equal(f.stored.get('u|2026-11-22'), 10);
    now = Date.parse('2026-11-23T00:00:01Z');
    assert.equal(await counter.tokensToday('u'), 0);
  });

  it('holds tokens for requests in flight, so concurrent requests cannot all pass the limit', async () => {
    const f = fakeRepo();
    const counter = new DailyUsageCounter(f.repo, { now: () => Date.parse('2026-11-22T10:00:00Z'), refreshMs: 5000, onError: () => undefined });
    // Twenty requests at once, each expecting 50 tokens, against a limit of 100.
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => counter.reserve('u', 100, 50)));
    const granted = outcomes.filter((o) => o.granted);
    assert.equal(granted.length, 2);
    const refused = outcomes.find((o) => !o.granted);
    assert.deepEqual(refused, { granted: false, used: 0, reserved: 100 });
    // Each used 221 tokens (an answer longer than expected): the overshoot is these two requests' worth.
    for (const o of granted) if (o.granted) o.reservation.settle(221);
    assert.equal(await counter.tokensToday('u'), 442);
    assert.equal((await counter.reserve('u', 100, 1)).granted, false);
  });

  it('sees a request that settled at any point while the counter was being read (its tokens in one figure or the other)', async () => {
    for (let depth = 0; depth < 8; depth++) {
      let resolveRead: (v: { tokens: number; requests: number }) => void = () => undefined;
      const repo = { get: () => new Promise((r) => (resolveRead = r)), add: async () => undefined } as unknown as DailyUsageRepository;
      let now = Date.parse('2026-11-22T10:00:00Z');
      const counter = new DailyUsageCounter(repo, { now: () => now, refreshMs: 5000, onError: () => undefined });
      const firstPending = counter.reserve('u', 60, 15);
      resolveRead({ tokens: 0, requests: 0 });
      const holds = [await firstPending];
      for (let i = 0; i < 3; i++) holds.push(await counter.reserve('u', 60, 15));
      now += 6000; // the fifth reserves through a fresh read of the database
      const fifth = counter.reserve('u', 60, 15);
      resolveRead({ tokens: 0, requests: 0 });
      // The first request settles its 15 tokens, used in full, some microtasks into that read.
      let n = depth;
      const tick = (): void => (n-- > 0 ? queueMicrotask(tick) : (holds[0] as { granted: true; reservation: { settle(t: number): void } }).reservation.settle(15));
      queueMicrotask(tick);
      assert.equal((await fifth).granted, false, `all 60 tokens used or held (settled at microtask depth ${depth})`);
    }
  });

  it('caps a hold at what remains, releases it on failure, and settles only once', async () => {
    const f = fakeRepo();
    const counter = new DailyUsageCounter(f.repo, { now: () => Date.parse('2026-11-22T10:00:00Z'), refreshMs: 5000, onError: () => undefined });
    counter.add('u', 90);
    const first = await counter.reserve('u', 100, 4096);
    assert.ok(first.granted);
    assert.equal(first.reservation.held, 10);
    first.reservation.settle(0);
    first.reservation.settle(500);
    assert.equal(await counter.tokensToday('u'), 90, 'a released hold counts nothing, and a second settle is ignored');
    const again = await counter.reserve('u', 100, 3);
    assert.ok(again.granted && again.reservation.held === 3);
  });

  it('counts the tokens of users without a limit, holding nothing', async () => {
    const f = fakeRepo();
    const counter = new DailyUsageCounter(f.repo, { now: () => Date.parse('2026-11-22T10:00:00Z'), refreshMs: 5000, onError: () => undefined });
    const outcome = await counter.reserve('u', null, 1_000_000);
    assert.ok(outcome.granted);
    assert.equal(outcome.reservation.held, 0);
    outcome.reservation.settle(70);
    assert.equal(await counter.tokensToday('u'), 70);
  });

  it('knows the UTC day and the next midnight', () => {
    assert.equal(utcDay(Date.parse('2026-11-22T23:59:59Z')), '2026-11-22');
    assert.equal(new Date(nextUtcMidnight(Date.parse('2026-11-22T10:00:00Z'))).toISOString(), '2026-11-23T00:00:00.000Z');
  });
});
