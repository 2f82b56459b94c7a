/**
 * Attack: ten wrong passwords from anywhere used to block the owner's correct one for a minute,
 * repeatable forever. Failures now slow down the attacker's own (e-mail, address) pair, with a
 * growing back-off, and the client address is the real one behind a trusted proxy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caller, PASSWORD, signup, type Answer } from '../../helpers/api.js';
import { startStack, type Stack } from '../../helpers/stack.js';

describe('attack: locking an account out with wrong passwords', () => {
  let s: Stack;
  const call = caller(() => s);
  const from = (address: string, body: unknown): Promise<Answer> => call('POST', '/api/auth/login', undefined, body, { 'x-forwarded-for': address });
  before(async () => {
    // One trusted hop: the test's own connection plays the proxy, X-Forwarded-For names the client.
    s = await startStack({ ALLOW_SIGNUP: 'true', TRUST_PROXY: '1', AUTH_RATE_LIMIT: '1000' });
    await signup(call, 'victim@example.com');
  });
  after(() => s.close());

  it("never blocks the owner's correct password from another address, however many failures elsewhere", async () => {
    const statuses = [];
    for (let i = 0; i < 30; i++) statuses.push((await from('203.0.113.5', { email: 'victim@example.com', password: `Wrong-Horse-${i}` })).status);
    assert.deepEqual(statuses.slice(0, 6), [401, 401, 401, 401, 401, 401]);
    assert.ok(
      statuses.slice(6).every((status) => status === 429),
      JSON.stringify(statuses),
    );
    const owner = await from('198.51.100.7', { email: 'victim@example.com', password: PASSWORD });
    assert.equal(owner.status, 200, JSON.stringify(owner.body));
    // Even the right password waits on the attacker's own address while it backs off.
    const attacker = await from('203.0.113.5', { email: 'Victim@Example.com', password: PASSWORD });
    assert.equal(attacker.status, 429);
    assert.equal(attacker.body.error.code, 'too_many_attempts');
  });

  it('counts concurrent guesses as they start, and an IPv6 /64 as one address', async () => {
    await signup(call, 'burst@example.com');
    const burst = await Promise.all(Array.from({ length: 25 }, (_, i) => from('203.0.113.77', { email: 'burst@example.com', password: `Wrong-Horse-${i}` })));
    assert.equal(burst.filter((a) => a.status === 401).length, 6, JSON.stringify(burst.map((a) => a.status)));
    // Rotating through one /64 buys no fresh tries.
    const rotated = [];
    for (let i = 1; i <= 8; i++) rotated.push((await from(`2001:db8:aa:bb::${i.toString(16)}`, { email: 'burst@example.com', password: 'Wrong-Horse-0' })).status);
    assert.deepEqual(rotated.slice(0, 6), [401, 401, 401, 401, 401, 401]);
    assert.ok(
      rotated.slice(6).every((status) => status === 429),
      JSON.stringify(rotated),
    );
  });

  it('doubles the wait after each further failure from the same address', async () => {
    await signup(call, 'backoff@example.com');
    const wrong = { email: 'backoff@example.com', password: 'Wrong-Horse-0' };
    for (let i = 0; i < 6; i++) assert.equal((await from('203.0.113.9', wrong)).status, 401);
    const first = await from('203.0.113.9', wrong);
    assert.equal(first.headers.get('retry-after'), '1');
    await new Promise((r) => setTimeout(r, 1_100));
    assert.equal((await from('203.0.113.9', wrong)).status, 401, 'the wait is over: one more try');
    assert.equal((await from('203.0.113.9', wrong)).headers.get('retry-after'), '2');
    // A success from another address does not clear this address's back-off; nor does it need to.
    assert.equal((await from('192.0.2.44', { email: 'backoff@example.com', password: PASSWORD })).status, 200);
    assert.equal((await from('203.0.113.9', wrong)).status, 429);
  });
});

describe('attack: dodging the per-address limit', () => {
  let s: Stack;
  const call = caller(() => s);
  before(async () => {
    s = await startStack({ ALLOW_SIGNUP: 'true', AUTH_RATE_LIMIT: '5' });
  });
  after(() => s.close());

  it('ignores X-Forwarded-For unless TRUST_PROXY says so, so a forged header buys no fresh address', async () => {
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await call('POST', '/api/auth/login', undefined, { email: `x${i}@example.com`, password: 'Wrong-Horse-9' }, { 'x-forwarded-for': `198.51.100.${i}` }));
    assert.deepEqual(
      answers.map((a) => a.status),
      [401, 401, 401, 401, 401, 429, 429, 429],
    );
  });
});
