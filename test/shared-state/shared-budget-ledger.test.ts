import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryBudgetLedger } from '../../src/accounts/budget-ledger.js';
import type { Budget } from '../../src/accounts/budgets.js';
import { SharedStateFallback } from '../../src/shared-state/fallback.js';
import { HOLD_MS, SharedBudgetLedger } from '../../src/shared-state/shared-budget-ledger.js';
import { SharedRedis } from '../../src/shared-state/shared-redis.js';
import { REDIS_MISSING, startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { failInCi, needs } from '../helpers/requirements.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('budgets held in Redis', needs(REDIS_MISSING), () => {
  failInCi(REDIS_MISSING);
  let redis: PrivateRedis;
  let shared: SharedRedis;
  let now = Date.UTC(2026, 11, 5, 12);
  before(async () => {
    redis = await startPrivateRedis();
    shared = new SharedRedis({ url: redis.url, prefix: 'budgets:', timeoutMs: 200 });
    await shared.connected(2_000);
  });
  after(async () => {
    await shared?.close();
    await redis?.stop();
  });
  const ledger = (spentInLogs = 0) =>
    new SharedBudgetLedger(shared, {
      local: new MemoryBudgetLedger(
        async () => spentInLogs,
        () => now,
      ),
      spendSince: async () => spentInLogs,
      onFailure: 'local',
      fallback: new SharedStateFallback(),
      now: () => now,
    });

  it('seeds the spend from the logs, holds, settles the real cost, and refuses past the limit', async () => {
    const budget: Budget = { scope: 'key:a', limitUsd: 1, period: 'monthly' };
    const one = ledger(0.5);
    const hold = await one.reserve([budget], 0.4);
    await assert.rejects(one.reserve([budget], 0.2), (err: { code?: string }) => err.code === 'budget_exceeded', 'the hold counts');
    hold.settle(0.1);
    await settle();
    assert.equal(await one.spent(budget), 0.6);
    const other = ledger(0);
    await other.reserve([budget], 0.4);
    await assert.rejects(other.reserve([budget], 0.1), (err: { code?: string }) => err.code === 'budget_exceeded', 'another instance sees the same spend and holds');
  });

  it('lets a hold whose settle never comes lapse, instead of holding the budget for the period', async () => {
    const budget: Budget = { scope: 'key:b', limitUsd: 1, period: null };
    const l = ledger();
    await l.reserve([budget], 0.9); // never settled: its instance died
    await assert.rejects(l.reserve([budget], 0.5));
    now += HOLD_MS + 1;
    const hold = await l.reserve([budget], 0.5);
    hold.settle(0.5);
    hold.settle(0.5);
    await settle();
    assert.equal(await l.spent(budget), 0.5, 'settled once');
  });

  it('reads the logs only for a counter Redis lacks, and tells a database failure from a Redis one', async () => {
    const budget: Budget = { scope: 'key:c', limitUsd: 1, period: 'daily' };
    let reads = 0;
    const fallback = new SharedStateFallback();
    const make = (spendSince: () => Promise<number>) =>
      new SharedBudgetLedger(shared, { local: new MemoryBudgetLedger(spendSince, () => now), spendSince, onFailure: 'local', fallback, now: () => now });
    const counting = make(async () => {
      reads++;
      return 0.25;
    });
    (await counting.reserve([budget], 0.1)).settle(0.1);
    (await counting.reserve([budget], 0.1)).settle(0.1);
    await settle();
    assert.equal(reads, 1, 'seeded once; Redis keeps the rest');
    const broken = make(async () => {
      throw new Error('database away');
    });
    await assert.rejects(broken.reserve([{ scope: 'key:d', limitUsd: 1, period: 'daily' }], 0.1), /spend could not be read/);
    assert.equal(fallback.degraded, false, 'Redis answered: no fallback');
  });
});
