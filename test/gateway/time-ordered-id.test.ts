import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uuidv7 } from '../../src/gateway/time-ordered-id.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('time-ordered ids (UUIDv7)', () => {
  it('are version 7, variant 10, and carry their millisecond', () => {
    const now = Date.UTC(2026, 10, 23, 2, 30, 0, 123);
    const id = uuidv7(now);
    assert.match(id, V7);
    assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), now);
  });

  it('sort by time as text, across milliseconds', () => {
    const ids = Array.from({ length: 1_000 }, (_, i) => uuidv7(1_800_000_000_000 + i * 7));
    assert.deepEqual([...ids].sort(), ids);
  });

  it('are unique, with every random bit in use, across many pool refills', () => {
    const now = Date.now();
    const ids = Array.from({ length: 100_000 }, () => uuidv7(now));
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids.slice(0, 2_000)) assert.match(id, V7);
    // Each random hex position takes all 16 values (the version and variant positions excepted).
    const tails = ids.map((id) => id.slice(15).replaceAll('-', ''));
    for (const position of [0, 1, 2, 4, 5, 6, 10, 18]) assert.equal(new Set(tails.map((t) => t[position])).size, 16, `position ${position}`);
  });
});
