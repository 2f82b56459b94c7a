import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConcurrencyLimit } from '../src/concurrency-limit.js';

describe('ConcurrencyLimit', () => {
  it('never runs more than its limit at once, newcomers included, and serves waiters in order', async () => {
    const limit = new ConcurrencyLimit(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const job = (i: number) =>
      limit.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        order.push(i);
        running--;
      });
    const first = Array.from({ length: 5 }, (_, i) => job(i));
    // A newcomer arriving as slots are handed over must still wait its turn.
    await new Promise((r) => setTimeout(r, 6));
    await Promise.all([...first, job(5)]);
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  it('refuses at once past its queue, and frees the slot of a failed job', async () => {
    const limit = new ConcurrencyLimit(1, 1, () => new Error('busy'));
    let release!: () => void;
    const holding = limit.run(() => new Promise<void>((r) => (release = r)));
    const queued = limit.run(async () => 'second');
    await assert.rejects(
      limit.run(async () => 'third'),
      /busy/,
    );
    release();
    await holding;
    assert.equal(await queued, 'second');
    await assert.rejects(
      limit.run(async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await limit.run(async () => 'after a failure'), 'after a failure');
  });
});
