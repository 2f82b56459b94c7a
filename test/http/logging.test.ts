/**
 * Structured logs: one JSON line per request carrying its request id (the caller's x-request-id, or
 * one made up and returned), and no secret anywhere in the logs of a whole session of use.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loggerOptions } from '../../src/http/logger-options.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

describe('request ids and structured logs', () => {
  let s: Stack;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const PASSWORD = 'Unguessable-Passw0rd-7731';
  const USER_PROVIDER_KEY = 'sk-or-v1-usersecret000000000000000000000zzzz';
  const secrets: string[] = [TEST_TOKEN, PASSWORD, USER_PROVIDER_KEY, 'sk-or-operator-secret-123', 'gemini-operator-secret-456'];

  before(async () => {
    // The most verbose level: whatever is logged at all is checked.
    s = await startStack({ OPENROUTER_API_KEY: 'sk-or-operator-secret-123', GEMINI_API_KEY: 'gemini-operator-secret-456' }, { logger: loggerOptions('trace', 'json', sink) });
  });
  after(() => s.close());

  const call = async (method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { res, body: (await res.text()) || undefined };
  };

  it('keeps a sane x-request-id from the caller, makes one otherwise, and logs each request under it', async () => {
    const given = await call('GET', '/v1/models', TEST_TOKEN, undefined, { 'x-request-id': 'trace-abc-123' });
    assert.equal(given.res.headers.get('x-request-id'), 'trace-abc-123');
    const made = await call('GET', '/v1/models', TEST_TOKEN, undefined, { 'x-request-id': 'bad id with spaces' });
    const id = made.res.headers.get('x-request-id') ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/);
    const streamed = await call('POST', '/v1/chat/completions', TEST_TOKEN, { model: 'auto', messages: [{ role: 'user', content: 'hi' }], stream: true }, { 'x-request-id': 'stream-req-1' });
    assert.equal(streamed.res.headers.get('x-request-id'), 'stream-req-1');
    const refused = await call('GET', '/v1/models', 'wrong-token-value-999', undefined, { 'x-request-id': 'refused-1' });
    assert.equal(refused.res.status, 401);
    assert.equal(refused.res.headers.get('x-request-id'), 'refused-1');
    await new Promise((r) => setTimeout(r, 50));
    const records = lines.map((l) => JSON.parse(l) as { reqId?: string; msg: string; status?: number; route?: string });
    for (const [reqId, status, route] of [
      ['trace-abc-123', 200, '/v1/models'],
      [id, 200, '/v1/models'],
      ['refused-1', 401, '/v1/models'],
      ['stream-req-1', 200, '/v1/chat/completions'],
    ] as const) {
      const line = records.find((r) => r.reqId === reqId && r.msg === 'request');
      assert.ok(line, `no access log line for ${reqId}`);
      assert.equal(line.status, status);
      assert.equal(line.route, route);
    }
  });

  it('no secret appears anywhere in the logs: tokens, passwords, gateway keys, provider keys, JWTs', async () => {
    const signup = await call('POST', '/api/auth/signup', undefined, { email: 'logs@example.com', password: PASSWORD, name: 'Logs' });
    const jwt = (JSON.parse(signup.body!) as { access_token: string }).access_token;
    secrets.push(jwt);
    await call('POST', '/api/auth/login', undefined, { email: 'logs@example.com', password: PASSWORD });
    await call('POST', '/api/auth/login', undefined, { email: 'logs@example.com', password: `${PASSWORD}-wrong` });
    await call('POST', '/api/keys/providers', jwt, { provider: 'openrouter', api_key: USER_PROVIDER_KEY });
    const key = (JSON.parse((await call('POST', '/api/keys/gateway', jwt, { name: 'k' })).body!) as { key: string }).key;
    secrets.push(key);
    await call('POST', '/v1/chat/completions', key, { model: 'auto', messages: [{ role: 'user', content: 'hello' }] });
    await call('POST', '/v1/chat/completions', TEST_TOKEN, { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hello' }] });
    await call('POST', '/v1/messages', undefined, { model: 'gemini-2.5-flash', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': TEST_TOKEN });
    // Failures log errors: an upstream that fails, a bad body, a bad key.
    s.emulator.script.add('gemini', [{ behavior: { type: 'error', status: 500 } }]);
    await call('POST', '/v1/chat/completions', TEST_TOKEN, { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'fail' }] });
    await call('POST', '/v1/chat/completions', `${key}x`, { model: 'auto', messages: [] });
    await new Promise((r) => setTimeout(r, 50));
    const text = lines.join('\n');
    assert.ok(lines.length > 10, 'the session was logged');
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret leaked into the logs: ${secret.slice(0, 6)}…`);
  });
});
