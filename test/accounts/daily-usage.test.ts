import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DailyUsageCounter, nextUtcMidnight, utcDay } from '../../src/gateway/daily-usage.js';
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

  it('knows the UTC day and the next midnight', () => {
    assert.equal(utcDay(Date.parse('2026-11-22T23:59:59Z')), '2026-11-22');
    assert.equal(new Date(nextUtcMidnight(Date.parse('2026-11-22T10:00:00Z'))).toISOString(), '2026-11-23T00:00:00.000Z');
  });
});
