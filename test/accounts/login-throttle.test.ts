import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LOGIN_THROTTLE, MemoryLoginThrottle } from '../../src/accounts/login-throttle.js';
import { clientNetwork } from '../../src/security/address-policy.js';

describe('MemoryLoginThrottle', () => {
  const make = (now: () => number) => new MemoryLoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, now });

  it('lets a few failures pass, then doubles the wait up to its ceiling', () => {
    let now = 0;
    const throttle = make(() => now);
    for (let i = 0; i < 5; i++) assert.equal(throttle.attempt('a@x.io', '1.1.1.1'), 0);
    const waits = [];
    for (let i = 0; i < 12; i++) {
      assert.equal(throttle.attempt('a@x.io', '1.1.1.1'), 0, 'the wait is over: one more try');
      const wait = throttle.attempt('a@x.io', '1.1.1.1');
      waits.push(wait);
      now += wait;
    }
    assert.deepEqual(waits.slice(0, 5), [1000, 2000, 4000, 8000, 16000]);
    assert.equal(waits.at(-1), 15 * 60_000);
  });

  it('counts an attempt when it is claimed, so concurrent guesses cannot all pass', () => {
    const throttle = make(() => 0);
    const admitted = Array.from({ length: 25 }, () => throttle.attempt('a@x.io', '1.1.1.1')).filter((w) => w === 0).length;
    assert.equal(admitted, 6, 'five free, the sixth starts the back-off');
  });

  it('counts each (e-mail, address) pair apart; a success clears only its own; a withdrawn attempt does not count', () => {
    const throttle = make(() => 0);
    for (let i = 0; i < 9; i++) throttle.attempt('a@x.io', '1.1.1.1');
    assert.ok(throttle.attempt('a@x.io', '1.1.1.1') > 0);
    assert.equal(throttle.attempt('a@x.io', '2.2.2.2'), 0, 'another address');
    assert.equal(throttle.attempt('b@x.io', '1.1.1.1'), 0, 'another e-mail');
    throttle.succeeded('a@x.io', '2.2.2.2');
    assert.ok(throttle.attempt('a@x.io', '1.1.1.1') > 0);
    throttle.succeeded('a@x.io', '1.1.1.1');
    assert.equal(throttle.attempt('a@x.io', '1.1.1.1'), 0);
    for (let i = 0; i < 20; i++) {
      assert.equal(throttle.attempt('c@x.io', '3.3.3.3'), 0);
      throttle.withdrawn('c@x.io', '3.3.3.3');
    }
    // A withdrawn attempt that would have started the back-off leaves no wait behind.
    for (let i = 0; i < 5; i++) throttle.attempt('d@x.io', '4.4.4.4');
    assert.equal(throttle.attempt('d@x.io', '4.4.4.4'), 0);
    throttle.withdrawn('d@x.io', '4.4.4.4');
    assert.equal(throttle.attempt('d@x.io', '4.4.4.4'), 0);
  });

  it('forgets failures after an hour of quiet, and holds a bounded number of pairs', () => {
    let now = 1_000_000; // not 0: lru-cache reads a start time of 0 as none
    const throttle = new MemoryLoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, maxEntries: 10, now: () => now });
    for (let i = 0; i < 7; i++) throttle.attempt('a@x.io', '1.1.1.1');
    now += 60 * 60_000 + 1;
    // Forgotten: five free tries and the sixth again, not a longer wait after the first.
    for (let i = 0; i < 6; i++) assert.equal(throttle.attempt('a@x.io', '1.1.1.1'), 0, `try ${i + 1}`);
    for (let i = 0; i < 7; i++) throttle.attempt('a@x.io', '1.1.1.1');
    for (let i = 0; i < 20; i++) throttle.attempt('a@x.io', `10.0.0.${i}`);
    assert.equal(throttle.attempt('a@x.io', '1.1.1.1'), 0, 'pushed out by newer pairs');
  });
});

describe('clientNetwork', () => {
  const cases: Array<[string, string]> = [
    ['203.0.113.5', '203.0.113.5'],
    ['::ffff:203.0.113.5', '203.0.113.5'],
    ['2001:db8:1234:5678:9abc::1', '2001:db8:1234:5678::/64'],
    ['2001:db8:1234:5678:ffff:ffff:ffff:ffff', '2001:db8:1234:5678::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['2001:0db8:0001:0000:0000:0000:0000:0001', '2001:db8:1:0::/64'],
  ];
  for (const [ip, network] of cases) it(`${ip} → ${network}`, () => assert.equal(clientNetwork(ip), network));
});
