/**
 * Attacks on how requests are read: large or slow bodies sent before anyone is authenticated,
 * headers that never finish, JSON nested deep enough to overflow a recursive walk. Each is
 * performed against a running gateway and must now do no harm.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openRaw } from '../../helpers/raw-http.js';
import { startStack, TEST_TOKEN, type Stack } from '../../helpers/stack.js';

const MiB = 1024 * 1024;

/** `{"a":{"a":…{}…}}`, `levels` objects deep. */
const nested = (levels: number): string => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);

describe('attack: large and slow request bodies', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ REQUEST_TIMEOUT_MS: '800', HEADERS_TIMEOUT_MS: '400' });
  });
  after(() => s.close());

  it('refuses 40 connections announcing 19 MiB to /api/auth/login with 413 before reading their bodies', async () => {
    const before = process.memoryUsage();
    const head = `POST /api/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${19 * MiB}\r\n\r\n{"email":"`;
    const exchanges = await Promise.all(Array.from({ length: 40 }, () => openRaw(s.url, head)));
    const answers = await Promise.all(exchanges.map((e) => e.answer(3_000)));
    for (const a of answers) {
      assert.equal(a.status, 413, a.text.slice(0, 200));
      assert.match(a.text, /"code":"request_too_large"/);
      assert.ok(a.ms < 2_000, `answered after ${a.ms} ms`);
    }
    for (const e of exchanges) e.socket.destroy();
    const grown = process.memoryUsage().arrayBuffers - before.arrayBuffers;
    assert.ok(grown < 32 * MiB, `buffers grew by ${Math.round(grown / MiB)} MiB`);
  });

  it('answers unknown routes (and unknown methods on known ones) before reading their bodies', async () => {
    for (const path of ['/nope', '/v1/nope', '/api/nope', '/health']) {
      const exchange = await openRaw(s.url, `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${19 * MiB}\r\n\r\n{"a":"`);
      const answer = await exchange.answer(2_000);
      assert.ok(answer.status === 404 || answer.status === 413, `${path}: ${answer.text.slice(0, 120)}`);
      if (answer.status === 404) assert.match(answer.text, /x-request-id: /i, 'the request id is named on a 404 too');
      assert.ok(answer.ms < 1_500, `${path} answered after ${answer.ms} ms`);
      exchange.socket.destroy();
    }
  });

  it('stops reading a chunked /api body at the /api limit (64 KiB by default)', async () => {
    const res = await fetch(`${s.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`{"email":"a@b.co","password":"${'x'.repeat(200 * 1024)}"}`));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'request_too_large');
  });

  it('still takes large bodies on /v1 (images travel inside them)', async () => {
    const big = 'x'.repeat(200 * 1024);
    const res = await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: big }] });
    assert.equal(res.status, 200);
  });

  it('answers 408 and frees a request whose body stalls, within REQUEST_TIMEOUT_MS', async () => {
    const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TEST_TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"messages":`;
    const stalled = await openRaw(s.url, head);
    const answer = await stalled.answer(5_000);
    assert.equal(answer.status, 408, answer.text);
    assert.ok(answer.closed, 'the connection is closed');
    assert.ok(answer.ms >= 700 && answer.ms < 3_000, `after ${answer.ms} ms`);
  });

  it('closes a connection whose headers never finish, within HEADERS_TIMEOUT_MS', async () => {
    const trickle = await openRaw(s.url, 'POST /api/auth/login HTTP/1.1\r\nhost: x\r\nx-slow: ');
    const answer = await trickle.answer(5_000);
    assert.ok(answer.closed, 'the connection is closed');
    assert.ok(answer.status === undefined || answer.status === 408, answer.text);
    assert.ok(answer.ms < 2_500, `after ${answer.ms} ms`);
  });

  it('lets a stream outlive REQUEST_TIMEOUT_MS: the bound is on receiving the request, not on answering it', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', text: 'slow but fine', delayMs: 1_200 } }]);
    const res = await s.post('/v1/chat/completions', { stream: true, messages: [{ role: 'user', content: 'take your time' }] });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /\[DONE\]/);
  });
});

describe('attack: deeply nested JSON', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ CACHE_MAX_SIZE: '100' });
  });
  after(() => s.close());

  const tool = (parameters: string) => `{"model":"auto","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${parameters}}}]}`;

  it('refuses a tool schema nested 5,000 levels deep with a 400 naming the parameter, not a 500', async () => {
    const res = await s.post('/v1/chat/completions', tool(nested(5_000)));
    const body = (await res.json()) as { error: { code: string; param: string; message: string } };
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(body.error.code, 'too_deeply_nested');
    assert.match(body.error.param, /^tools\[0\]\.function\.parameters\.a/);
    // And the gateway is still answering.
    assert.equal((await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'still there?' }] })).status, 200);
  });

  it("refuses deep nesting on every entrance and on the management API, in each one's error shape", async () => {
    const messages = await s.post('/v1/messages', `{"model":"auto","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"metadata":${nested(100)}}`);
    assert.equal(messages.status, 400);
    const anthropic = (await messages.json()) as { type: string; error: { type: string } };
    assert.equal(anthropic.type, 'error');
    assert.equal(anthropic.error.type, 'invalid_request_error');
    const config = await fetch(`${s.url}/api/config`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: `{"default_model":${nested(80)}}`,
    });
    assert.equal(config.status, 400);
    assert.equal(((await config.json()) as { error: { param: string } }).error.param, 'default_model.a.a.a.a.a…');
    const longKey = 'k'.repeat(10_000);
    const echoed = await fetch(`${s.url}/api/config`, { method: 'PUT', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: `{"${longKey}":${nested(80)}}` });
    assert.equal(echoed.status, 400);
    assert.ok((await echoed.text()).length < 1_000, 'a long key is not echoed back whole');
  });

  it('takes a schema nested within the bound, cached like any other request', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await s.post('/v1/chat/completions', tool(nested(40)));
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { metadata: { cache_hit: boolean } };
      assert.equal(body.metadata.cache_hit, i === 1);
    }
  });
});

describe('empty bodies with a JSON content type', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(() => s.close());

  it('accepts a DELETE and a POST without fields, as clients that always send the header expect', async () => {
    const headers = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' };
    const deleted = await fetch(`${s.url}/v1/sessions/some-session`, { method: 'DELETE', headers });
    assert.equal(deleted.status, 200, await deleted.clone().text());
    const created = await fetch(`${s.url}/api/keys/gateway`, { method: 'POST', headers, body: '' });
    assert.equal(created.status, 201, await created.clone().text());
    const chat = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers, body: '' });
    assert.equal(chat.status, 400, 'a chat request still needs its body');
  });
});
