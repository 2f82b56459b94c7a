import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { CENSOR, CIRCULAR, redactSecrets, TRUNCATED } from '../../src/http/log-redaction.js';
import { loggerOptions } from '../../src/http/logger-options.js';

describe('log redaction', () => {
  it('returns a clean object itself, allocating nothing', () => {
    const line = { method: 'POST', route: '/v1/chat/completions', status: 200, ms: 1.2, user: 'admin', nested: { a: [1, { b: 'x' }] } };
    assert.equal(redactSecrets(line), line);
  });

  it('censors secret-named properties at any depth and in arrays, without touching the original', () => {
    const original = {
      req: { headers: { Authorization: 'Bearer sk-live', 'x-api-key': 'ant-key', host: 'h' } },
      config: { providers: [{ name: 'gemini', apiKey: 'g-key' }, { name: 'openai' }] },
      password: 'hunter2',
      deep: { a: { b: { c: { token: 't', api_key: 'k', secret: 's', key: 'x', cookie: 'c' } } } },
      keep: { authorization: null, tokenCount: 3 },
    };
    const snapshot = structuredClone(original);
    const out = redactSecrets(original);
    assert.deepEqual(original, snapshot);
    assert.equal(out.req.headers.Authorization, CENSOR);
    assert.equal(out.req.headers['x-api-key'], CENSOR);
    assert.equal(out.req.headers.host, 'h');
    assert.equal(out.config.providers[0]!.apiKey, CENSOR);
    assert.equal(out.config.providers[1], original.config.providers[1], 'clean branches are shared, not copied');
    assert.equal(out.password, CENSOR);
    assert.deepEqual(out.deep.a.b.c, { token: CENSOR, api_key: CENSOR, secret: CENSOR, key: CENSOR, cookie: CENSOR });
    // Absent values stay absent, and names that merely contain a secret word are kept.
    assert.deepEqual(out.keep, { authorization: null, tokenCount: 3 });
  });

  it('keeps an error an error (prototype, message, stack) while censoring its properties', () => {
    const err = Object.assign(new TypeError('upstream refused'), { config: { headers: { authorization: 'Bearer sk-x' } } });
    const out = redactSecrets({ err }).err;
    assert.ok(out instanceof TypeError);
    assert.equal(out.message, 'upstream refused');
    assert.equal(out.stack, err.stack);
    assert.equal(out.config.headers.authorization, CENSOR);
    assert.equal(err.config.headers.authorization, 'Bearer sk-x');
  });

  it('ends on cycles, and never leads a copy back to the uncensored original', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    assert.deepEqual(redactSecrets(a), { name: 'a', self: CIRCULAR });
    const b: Record<string, unknown> = { token: 't', inner: { up: null as unknown } };
    (b.inner as { up: unknown }).up = b;
    assert.ok(!JSON.stringify(redactSecrets(b)).includes('"t"'));
    const err = Object.assign(new Error('boom'), { key: 'ERR-KEY' }) as Error & { self?: unknown };
    err.self = err;
    const out = redactSecrets({ err }).err as Error & { key: string; self: unknown };
    assert.equal(out.key, CENSOR);
    assert.equal(out.self, CIRCULAR);
    // An object met twice (not a cycle) is walked once and censored in both places.
    const shared = { password: 'p' };
    const twice = redactSecrets({ x: shared, y: [shared] });
    assert.equal(twice.x.password, CENSOR);
    assert.equal(twice.x, twice.y[0]);
  });

  it('walks class instances too, within a budget, so a huge graph cannot stall the event loop', () => {
    class Client {
      apiKey = 'client-secret';
      endpoint = 'https://x';
    }
    assert.equal(redactSecrets({ client: new Client() }).client.apiKey, CENSOR);
    // Ten links from every object, eight levels deep: without a budget, 10^8 visits.
    type Node = { links: Node[]; token?: string };
    const level = (depth: number): Node => ({ links: depth === 0 ? [] : Array.from({ length: 10 }, () => level(depth - 1)), token: 'deep-secret' });
    const wide = { root: { links: Array.from({ length: 10 }, () => level(2)) } };
    const started = performance.now();
    const scrubbed = JSON.stringify(redactSecrets(wide));
    assert.ok(performance.now() - started < 1_000);
    assert.ok(!scrubbed.includes('deep-secret'));
    assert.ok(scrubbed.includes(TRUNCATED));
  });

  it('is what the gateway logger applies to every line', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) });
    const log = pino(loggerOptions('info', 'json', sink) as pino.LoggerOptions, sink);
    log.child({ reqId: 'r1' }).info({ headers: { authorization: 'Bearer gw_secret' }, err: Object.assign(new Error('boom'), { password: 'pw' }) }, 'hello');
    const record = JSON.parse(lines[0]!) as { reqId: string; headers: { authorization: string }; err: { message: string; password: string; stack: string } };
    assert.equal(record.reqId, 'r1');
    assert.equal(record.headers.authorization, CENSOR);
    assert.equal(record.err.message, 'boom');
    assert.equal(record.err.password, CENSOR);
    assert.match(record.err.stack, /Error: boom/);
    assert.ok(!lines[0]!.includes('gw_secret'));
  });
});
