import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LOGIN_THROTTLE, MemoryLoginThrottle } from '../../src/accounts/login-throttle.js';

describe('MemoryLoginThrottle', () => {
  const make = (now: () => number) => new MemoryLoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, now });

  it('lets a few failures pass, then doubles the wait up to its ceiling', () => {
    let now = 0;
    const throttle = make(() => now);
    for (let i = 0; i < 5; i++) throttle.failed('a@x.io', '1.1.1.1');
    assert.equal(throttle.waitMs('a@x.io', '1.1.1.1'), 0);
    const waits = [];
    for (let i = 0; i < 12; i++) {
      throttle.failed('a@x.io', '1.1.1.1');
      waits.push(throttle.waitMs('a@x.io', '1.1.1.1'));
      now += waits.at(-1)!;
    }
    assert.deepEqual(waits.slice(0, 5), [1000, 2000, 4000, 8000, 16000]);
    assert.equal(waits.at(-1), 15 * 60_000);
  });

  it('counts each (e-mail, address) pair apart, and a success clears only its own', () => {
    const throttle = make(() => 0);
    for (let i = 0; i < 9; i++) throttle.failed('a@x.io', '1.1.1.1');
    assert.ok(throttle.waitMs('a@x.io', '1.1.1.1') > 0);
    assert.equal(throttle.waitMs('a@x.io', '2.2.2.2'), 0, 'another address');
    assert.equal(throttle.waitMs('b@x.io', '1.1.1.1'), 0, 'another e-mail');
    throttle.succeeded('a@x.io', '2.2.2.2');
    assert.ok(throttle.waitMs('a@x.io', '1.1.1.1') > 0);
    throttle.succeeded('a@x.io', '1.1.1.1');
    assert.equal(throttle.waitMs('a@x.io', '1.1.1.1'), 0);
  });

  it('forgets failures after an hour of quiet, and holds a bounded number of pairs', () => {
    let now = 0;
    const throttle = new MemoryLoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, maxEntries: 10, now: () => now });
    for (let i = 0; i < 7; i++) throttle.failed('a@x.io', '1.1.1.1');
    now += 60 * 60_000 + 1;
    assert.equal(throttle.waitMs('a@x.io', '1.1.1.1'), 0);
    for (let i = 0; i < 7; i++) throttle.failed('a@x.io', '1.1.1.1');
    for (let i = 0; i < 20; i++) throttle.failed('a@x.io', `10.0.0.${i}`);
    assert.equal(throttle.waitMs('a@x.io', '1.1.1.1'), 0, 'pushed out by newer pairs');
  });
});
