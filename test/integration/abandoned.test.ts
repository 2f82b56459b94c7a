/**
 * Clients that go away: 200 streams and 50 plain requests abandoned mid-answer release their upstream
 * connections and the in-flight counters at once, and each leaves one log row, marked 499.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { chatBody } from '../helpers/api.js';
import { openRaw, streamThenHangUp } from '../helpers/raw-http.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('clients that go away', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(() => s.close());

  const metrics = async () => (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text();
  const settled = async (ms: number) => {
    const end = Date.now() + ms;
    let text = await metrics();
    while (Date.now() < end && (gauge(text, 'cerebro_streams_in_flight') !== 0 || gauge(text, 'cerebro_requests_in_flight') !== 0)) {
      await new Promise((r) => setTimeout(r, 50));
      text = await metrics();
    }
    return text;
  };

  it('leaves no stream, request or upstream connection behind after 200 abandoned streams', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', text: long, chunkDelayMs: 20 }, times: 200 }]);
    await Promise.all(Array.from({ length: 200 }, () => streamThenHangUp(s.url, TEST_TOKEN, chatBody('tell me a long story', { stream: true }))));
    const text = await settled(3_000);
    assert.equal(gauge(text, 'cerebro_streams_in_flight'), 0);
    assert.equal(gauge(text, 'cerebro_requests_in_flight'), 0);
    // The upstream saw its 200 streams closed, not left running to their end (each would take 8 s).
    const end = Date.now() + 1_000;
    while (s.emulator.activeAnswers() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.emulator.activeAnswers(), 0);
    await s.gateway.logs.flush();
    const db = (s.gateway.sessions as unknown as { db: Kysely<any> }).db;
    const rows = await db
      .selectFrom('request_logs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('http_status', '=', 499)
      .executeTakeFirstOrThrow();
    assert.equal(Number(rows.n), 200, 'one row each, marked 499');
  });

  it('does the same for plain requests whose callers leave while the upstream is still answering', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', delayMs: 2_000 }, times: 50 }]);
    const body = JSON.stringify(chatBody('slow'));
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const exchange = await openRaw(
          s.url,
          `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TEST_TOKEN}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
        );
        await new Promise((r) => setTimeout(r, 200));
        exchange.socket.destroy();
      }),
    );
    const text = await settled(3_000);
    assert.equal(gauge(text, 'cerebro_requests_in_flight'), 0);
    const end = Date.now() + 1_000;
    while (s.emulator.activeAnswers() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.emulator.activeAnswers(), 0, 'the upstream calls were cancelled, not left to finish');
  });
});
