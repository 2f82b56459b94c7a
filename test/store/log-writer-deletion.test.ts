/** Rows of an account being deleted lose their owner, key and session, wherever they are when it happens. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DELETED_USER_ID, RequestLogWriter, type RequestLogRow } from '../../src/store/request-log-writer.js';
import { DailyUsageCounter } from '../../src/accounts/daily-usage.js';
import type { DailyUsageRepository, UsageDelta } from '../../src/store/daily-usage-repository.js';

const row = (id: string, userId: string): RequestLogRow => ({
  id,
  created_at: new Date().toISOString(),
  user_id: userId,
  gateway_key_id: 'k',
  session_id: 's',
  endpoint: 'chat.completions',
  model_requested: 'auto',
  model_used: 'm',
  provider: 'openrouter',
  priority: 'normal',
  stream: 0,
  status: 'success',
  http_status: 200,
  error: null,
  prompt_tokens: 1,
  completion_tokens: 2,
  total_tokens: 3,
  cost_usd: 0,
  latency_ms: 5,
  cache_hit: 0,
  attempts: '[]',
});

describe('deleting an account while its rows are on their way', () => {
  it('anonymises queued rows, rows recorded later, and a failed batch that was being written', async () => {
    const written: RequestLogRow[] = [];
    let fail = true;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const writer = new RequestLogWriter(
      async (rows) => {
        await gate;
        if (fail) throw new Error('database down');
        written.push(...rows.map((r) => ({ ...r })));
      },
      { flushIntervalMs: 60_000, batchSize: 1_000, maxQueued: 1_000, onError: () => undefined },
    );
    writer.record(row('1', 'gone'));
    writer.record(row('2', 'stays'));
    await new Promise((r) => setImmediate(r));
    const first = writer.flush(); // the batch is being written (and will fail) as the deletion runs
    writer.anonymise('gone');
    writer.record(row('3', 'gone'));
    release();
    await first;
    fail = false;
    await writer.flush();
    const byId = Object.fromEntries(written.map((r) => [r.id, [r.user_id, r.gateway_key_id, r.session_id]]));
    assert.deepEqual(byId, { '1': [DELETED_USER_ID, null, null], '2': ['stays', 'k', 's'], '3': [DELETED_USER_ID, null, null] });
  });

  it('drops the tokens of a deleted account, even from a flush that failed and is retried', async () => {
    const stored: UsageDelta[] = [];
    let fail = true;
    const repo = {
      get: async () => ({ tokens: 0, requests: 0 }),
      add: async (d: readonly UsageDelta[]) => (fail ? Promise.reject(new Error('down')) : void stored.push(...d)),
    } as unknown as DailyUsageRepository;
    const counter = new DailyUsageCounter(repo, { now: () => Date.parse('2026-11-22T10:00:00Z'), refreshMs: 5000, onError: () => undefined });
    counter.add('gone', 10);
    counter.add('stays', 5);
    const failing = counter.flush();
    counter.forget('gone');
    await failing;
    counter.add('gone', 7);
    fail = false;
    await counter.flush();
    assert.deepEqual(
      stored.map((d) => [d.userId, d.tokens]),
      [['stays', 5]],
    );
  });
});

describe('a database coming back while a batch is retried row by row', () => {
  it('keeps the rows that failed for a reason not their own (the server still starting up), and writes them next time', async () => {
    const written: string[] = [];
    let calls = 0;
    const starting = Object.assign(new Error('the database system is starting up'), { code: '57P03' });
    const duplicate = Object.assign(new Error('duplicate key'), { code: '23505' });
    const writer = new RequestLogWriter(
      async (rows) => {
        calls++;
        if (rows.length > 1) throw starting; // the batch, first
        const id = rows[0]!.id;
        if (id === 'dup') throw duplicate;
        if (id === 'b' && calls < 6) throw starting; // b's own try comes while the server is still starting
        written.push(id);
      },
      { flushIntervalMs: 60_000, batchSize: 1_000, maxQueued: 1_000, onError: () => undefined },
    );
    for (const id of ['a', 'b', 'c', 'dup']) writer.record(row(id, 'u'));
    await writer.flush();
    assert.deepEqual(written, ['a', 'c']);
    assert.equal(writer.rejected, 1, 'only the row refused for what it holds is dropped');
    await writer.flush();
    assert.deepEqual(written, ['a', 'c', 'b']);
  });
});

describe('a row the database will never take', () => {
  it('is dropped (a value class 22 error, or three flushes failing while others go through), and does not make the database look down', async () => {
    const written: string[] = [];
    const told: string[] = [];
    const bad = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    const odd = Object.assign(new Error('something nobody classified'), { code: 'XX999' });
    const writer = new RequestLogWriter(
      async (rows) => {
        if (rows.length > 1) throw bad;
        const id = rows[0]!.id;
        if (id === 'nul') throw bad;
        if (id === 'odd') throw odd;
        written.push(id);
      },
      { flushIntervalMs: 60_000, batchSize: 1_000, maxQueued: 1_000, onError: () => undefined },
    );
    writer.onWritten = () => told.push('written');
    writer.onFailed = () => told.push('failed');
    for (const id of ['a', 'nul', 'odd', 'b']) writer.record(row(id, 'u'));
    await writer.flush();
    assert.deepEqual(written, ['a', 'b']);
    assert.equal(writer.rejected, 1, 'the class 22 row at once');
    for (let i = 0; i < 3; i++) {
      writer.record(row(`c${i}`, 'u'));
      await writer.flush();
    }
    assert.equal(writer.rejected, 2, 'the unclassified one after three flushes that wrote others');
    assert.equal(writer.pending, 0);
    assert.ok(!told.includes('failed'), 'the database was taking writes all along');
  });
});
