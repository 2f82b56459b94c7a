/** Request logs across the request's life: refused requests, callers that leave, and shutdown. */
import { get as httpGet } from 'node:http';
import { OPERATOR_USER_ID } from '../../src/gateway/caller.js';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { migrateToLatest, openDatabase } from '../../src/store/database.js';
import type { Database } from '../../src/store/schema.js';
import { streamThenHangUp } from '../helpers/raw-http.js';
import { startStack, TEST_TOKEN } from '../helpers/stack.js';

const dbOf = (s: { gateway: unknown }) => (s.gateway as { sessions: { db: Kysely<Database> } }).sessions.db;

describe('request logs', () => {
  it('a clean shutdown flushes every queued log row', async () => {
    // A flush interval longer than the test: rows can only reach the disk through close().
    const s = await startStack({ LOG_FLUSH_INTERVAL_MS: '60000' });
    const dbPath = s.config.databaseUrl;
    for (let i = 0; i < 25; i++) await s.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: `q${i}` }] });
    assert.equal(s.gateway.logs.pending, 25);
    await s.gateway.close();
    const reopened = openDatabase(dbPath);
    await migrateToLatest(reopened);
    const rows = await reopened.db.selectFrom('request_logs').select(['status', 'provider']).execute();
    await reopened.close();
    await s.emulator.close();
    rmSync(s.dir, { recursive: true, force: true });
    assert.equal(rows.length, 25);
    assert.ok(rows.every((r) => r.status === 'success' && r.provider === 'openrouter'));
  });

  it('a request refused by validation is logged with its 400', async () => {
    const s = await startStack();
    try {
      const res = await s.post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [], stream: true });
      assert.equal(res.status, 400);
      await s.gateway.logs.flush();
      const row = await dbOf(s).selectFrom('request_logs').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.http_status, 400);
      assert.equal(row.status, 'error');
      assert.equal(row.model_requested, 'gpt-4o-mini');
      assert.equal(row.stream, 1);
      assert.match(row.error ?? '', /messages/);
    } finally {
      await s.close();
    }
  });

  it('a caller that leaves mid-stream is logged as 499 and the upstream call is cancelled', async () => {
    const s = await startStack();
    try {
      s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', chunkDelayMs: 150, text: 'one two three four five six seven eight nine ten' } }]);
      await streamThenHangUp(s.url, TEST_TOKEN, { messages: [{ role: 'user', content: 'long answer please' }], stream: true, session_id: 'left' });
      let row;
      for (let i = 0; i < 50 && !row; i++) {
        await new Promise((r) => setTimeout(r, 50));
        await s.gateway.logs.flush();
        row = await dbOf(s).selectFrom('request_logs').selectAll().executeTakeFirst();
      }
      assert.ok(row, 'a log row was written');
      assert.equal(row.status, 'error');
      assert.equal(row.http_status, 499);
      // A half-delivered answer is not remembered as if it had been given.
      assert.deepEqual((await s.gateway.sessions.page(OPERATOR_USER_ID, 'left', 0, 100)).turns, []);
    } finally {
      await s.close();
    }
  });

  it('malformed JSON from an authenticated caller is logged with its 400', async () => {
    const s = await startStack();
    try {
      const res = await s.post('/v1/chat/completions', '{"messages": [');
      assert.equal(res.status, 400);
      await s.gateway.logs.flush();
      const row = await dbOf(s).selectFrom('request_logs').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.http_status, 400);
      assert.match(row.error ?? '', /not valid JSON/);
    } finally {
      await s.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('lets a stream in flight finish, then flushes its log row', async () => {
    const s = await startStack({ SHUTDOWN_GRACE_MS: '10000', LOG_FLUSH_INTERVAL_MS: '60000' });
    s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', chunkDelayMs: 40, text: 'one two three four five six seven eight' } }]);
    const res = await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }], stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    const closing = s.gateway.close();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await closing;
    assert.match(text, /data: \[DONE\]/);
    const reopened = openDatabase(s.config.databaseUrl);
    const rows = await reopened.db.selectFrom('request_logs').select(['status', 'http_status']).execute();
    await reopened.close();
    await s.emulator.close();
    rmSync(s.dir, { recursive: true, force: true });
    assert.deepEqual(rows, [{ status: 'success', http_status: 200 }]);
  });

  it('cancels what is still running after the grace period, and still flushes the logs', async () => {
    const s = await startStack({ SHUTDOWN_GRACE_MS: '100', LOG_FLUSH_INTERVAL_MS: '60000' });
    s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', chunkDelayMs: 1000, text: 'very slow answer indeed' } }]);
    const res = await s.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'q' }], stream: true });
    const body = res.text();
    const started = Date.now();
    await s.gateway.close();
    assert.ok(Date.now() - started < 3000, 'close did not wait for the slow stream');
    assert.doesNotMatch(await body, /\[DONE\]/);
    const reopened = openDatabase(s.config.databaseUrl);
    const rows = await reopened.db.selectFrom('request_logs').select(['status', 'http_status']).execute();
    await reopened.close();
    await s.emulator.close();
    rmSync(s.dir, { recursive: true, force: true });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.status, 'error');
  });

  it('under load: answers everything it accepted (streams included), writes every row, and refuses new connections', async () => {
    const s = await startStack({ SHUTDOWN_GRACE_MS: '10000', LOG_FLUSH_INTERVAL_MS: '60000' });
    s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', delayMs: 300, chunkDelayMs: 20, text: 'an answer in a few pieces' }, times: 80 }]);
    const plain = Array.from({ length: 50 }, (_, i) => s.post('/v1/chat/completions', { messages: [{ role: 'user', content: `plain ${i}` }] }).then(async (r) => [r.status, await r.text()] as const));
    const streams = Array.from({ length: 30 }, (_, i) =>
      s.post('/v1/chat/completions', { messages: [{ role: 'user', content: `stream ${i}` }], stream: true }).then(async (r) => [r.status, await r.text()] as const),
    );
    // Every request has reached the gateway (they wait on the upstream's 300 ms) when shutdown begins.
    const deadline = Date.now() + 5_000;
    while (s.emulator.requests.filter((r) => r.provider === 'openrouter').length < 80 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const closing = s.gateway.close();
    await new Promise((r) => setTimeout(r, 50));
    // On a new connection of its own: fetch could reuse one of the load's kept-alive sockets.
    const refused = await new Promise<boolean>((resolve) => {
      const req = httpGet(`${s.url}/health`, { agent: false }, (res) => {
        res.resume();
        resolve(false);
      });
      req.on('error', () => resolve(true));
    });
    const answers = await Promise.all([...plain, ...streams]);
    await closing;
    assert.ok(refused, 'a new connection is refused once shutdown has begun');
    assert.ok(
      answers.every(([status]) => status === 200),
      JSON.stringify(answers.map(([status]) => status)),
    );
    assert.ok(
      answers.slice(50).every(([, text]) => text.includes('data: [DONE]')),
      'every stream finished',
    );
    const reopened = openDatabase(s.config.databaseUrl);
    const rows = await reopened.db
      .selectFrom('request_logs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('http_status', '=', 200)
      .executeTakeFirstOrThrow();
    await reopened.close();
    await s.emulator.close();
    rmSync(s.dir, { recursive: true, force: true });
    assert.equal(Number(rows.n), 80, 'every answered request has its row');
  });
});
