import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import { migrations } from '../../src/store/migrations/index.js';
import { TEST_DIALECTS, TEST_POSTGRES_URL, type TestDatabase } from '../helpers/databases.js';
import { failInCi, needs } from '../helpers/requirements.js';
import { migrateToBottom, migrateToLatest, openDatabase, sqlitePathFromUrl, type OpenedDatabase } from '../../src/store/database.js';
import { kyselyLogInserter } from '../../src/store/request-log-insert.js';
import { PartialInsertError, RequestLogWriter, type RequestLogRow } from '../../src/store/request-log-writer.js';
import { SessionRepository } from '../../src/store/session-repository.js';
import { DailyUsageRepository } from '../../src/store/daily-usage-repository.js';
import { AnalyticsRepository } from '../../src/store/analytics-repository.js';
import { rollUp } from '../../src/store/usage-rollup.js';
import { SettingsRepository } from '../../src/store/settings-repository.js';
import { resolveOperatorToken } from '../../src/security/operator-token-bootstrap.js';
import { bearerToken, sha256, tokenMatchesHash } from '../../src/security/operator-token.js';

const ALL_MIGRATIONS = Object.keys(migrations);

const row = (id: string): RequestLogRow => ({
  id,
  created_at: new Date().toISOString(),
  user_id: 'operator',
  gateway_key_id: null,
  session_id: null,
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

describe('SQLite URLs', () => {
  it('resolves relative and absolute sqlite URLs', () => {
    assert.equal(sqlitePathFromUrl('sqlite:/abs/c.db'), '/abs/c.db');
    assert.equal(sqlitePathFromUrl('sqlite:./data/c.db'), join(process.cwd(), 'data', 'c.db'));
    assert.equal(sqlitePathFromUrl('sqlite::memory:'), ':memory:');
  });

  it('creates the folders of a nested SQLite path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cerebro-store-'));
    const database = openDatabase(`sqlite:${join(dir, 'nested', 'dir', 'c.db')}`);
    try {
      assert.deepEqual(await migrateToLatest(database), ALL_MIGRATIONS);
    } finally {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const { name: dialect, make, missing } of TEST_DIALECTS)
  describe(`store on ${dialect}`, needs(missing), () => {
    failInCi(missing);
    let target: TestDatabase;
    let database: OpenedDatabase;
    before(async () => {
      target = make();
      database = openDatabase(target.url, target.schema ? { schema: target.schema } : {});
      assert.deepEqual(await migrateToLatest(database), ALL_MIGRATIONS);
    });
    after(async () => {
      await database.close();
      await target.drop();
    });

    it('migrating twice is a no-op', async () => {
      assert.deepEqual(await migrateToLatest(database), []);
    });

    it('adds daily usage as increments (several instances add up)', async () => {
      const usage = new DailyUsageRepository(database.db);
      await usage.add([{ userId: 'operator', day: '2026-11-22', tokens: 10, requests: 1 }]);
      await usage.add([
        { userId: 'operator', day: '2026-11-22', tokens: 5, requests: 2 },
        { userId: 'operator', day: '2026-11-23', tokens: 1, requests: 1 },
      ]);
      assert.deepEqual(await usage.get('operator', '2026-11-22'), { tokens: 15, requests: 3 });
      assert.deepEqual(await usage.get('operator', '2026-11-21'), { tokens: 0, requests: 0 });
    });

    it("keeps sessions apart, within one user's sessions, and returns the last N turns oldest first", async () => {
      const sessions = new SessionRepository(database.db);
      for (let i = 1; i <= 5; i++) {
        await sessions.append('operator', 'a', [
          { role: 'user', content: `q${i}` },
          { role: 'assistant', content: `a${i}`, modelUsed: 'm' },
        ]);
      }
      await sessions.append('operator', 'b', [{ role: 'user', content: 'other' }]);
      await sessions.append('someone-else', 'a', [{ role: 'user', content: 'not yours' }]);
      assert.deepEqual(
        (await sessions.recent('operator', 'a', 3)).map((t) => t.content),
        ['a4', 'q5', 'a5'],
      );
      assert.deepEqual(await sessions.recent('operator', 'a', 0), []);
      const all = async (user: string, session: string) => (await sessions.page(user, session, 0, 1000)).turns;
      assert.equal((await all('operator', 'a')).length, 10);
      const first = await sessions.page('operator', 'a', 0, 4);
      assert.deepEqual([first.turns.map((t) => t.content), first.hasMore], [['q1', 'a1', 'q2', 'a2'], true]);
      const rest = await sessions.page('operator', 'a', first.turns.at(-1)!.id, 6);
      assert.deepEqual([rest.turns.length, rest.hasMore], [6, false], 'a page that ends exactly at the last turn has no more');
      assert.deepEqual(
        (await all('someone-else', 'a')).map((t) => t.content),
        ['not yours'],
      );
      assert.equal(await sessions.delete('someone-else', 'b'), 0);
      assert.equal(await sessions.delete('operator', 'a'), 10);
      assert.equal((await all('operator', 'b')).length, 1);
      assert.equal((await all('someone-else', 'a')).length, 1);
    });

    it('stores every column of every turn, whatever the number of turns appended at once (compiled statements)', async () => {
      const sessions = new SessionRepository(database.db);
      const at = new Date('2026-11-23T03:00:00.000Z');
      for (const count of [1, 2, 3, 2, 20]) {
        const turns = Array.from({ length: count }, (_, i) =>
          i % 2 === 0 ? { role: 'user' as const, content: `u${count}-${i}` } : { role: 'assistant' as const, content: `a${count}-${i}`, modelUsed: `model-${i}` },
        );
        await sessions.append('columns-user', `s${count}`, turns, at);
        const stored = (await sessions.page('columns-user', `s${count}`, 0, 1000)).turns;
        assert.deepEqual(
          stored.slice(-count).map((t) => [t.role, t.content, t.model_used, new Date(t.created_at).toISOString()]),
          turns.map((t) => [t.role, t.content, t.modelUsed ?? null, at.toISOString()]),
        );
      }
      assert.equal((await sessions.page('columns-user', 's2', 0, 1000)).turns.length, 4);
    });

    // The same behaviour through both insert paths: the dialect's fastest and generic Kysely.
    for (const [name, inserter] of [
      ["the dialect's own inserter", () => database.logInserter()],
      ['Kysely', () => kyselyLogInserter(database.db)],
    ] as const) {
      it(`writes logs in batches, and close() flushes what is queued (${name})`, async () => {
        const writer = new RequestLogWriter(inserter(), { flushIntervalMs: 60_000, batchSize: 1000, maxQueued: 10_000, onError: () => assert.fail('no error expected') });
        for (let i = 0; i < 1200; i++) writer.record(row(`${name}-${i}`));
        assert.ok(writer.pending > 0);
        await writer.close();
        const { count } = await database.db
          .selectFrom('request_logs')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('id', 'like', `${name}-%`)
          .executeTakeFirstOrThrow();
        assert.equal(Number(count), 1200);
      });

      it(`drops only the row the database refuses, writing the rest of its batch (${name})`, async () => {
        const errors: unknown[] = [];
        const writer = new RequestLogWriter(inserter(), { flushIntervalMs: 60_000, batchSize: 1000, maxQueued: 10_000, onError: (e) => errors.push(e) });
        writer.record(row(`poison-${name}`));
        writer.record(row(`poison-${name}`)); // a duplicate primary key fails the whole transaction
        writer.record(row(`fine-${name}`));
        await writer.close();
        assert.equal(writer.pending, 0);
        assert.equal(writer.rejected, 1);
        assert.equal(errors.length, 1);
        const rows = await database.db
          .selectFrom('request_logs')
          .select('id')
          .where('id', 'in', [`poison-${name}`, `fine-${name}`])
          .execute();
        assert.equal(rows.length, 2);
      });
    }

    it("writes a batch larger than the SQLite log thread's slices, and a refused row in a later slice costs only that row", async () => {
      const errors: unknown[] = [];
      const writer = new RequestLogWriter(database.logInserter(), { flushIntervalMs: 60_000, batchSize: 1000, maxQueued: 10_000, onError: (e) => errors.push(e) });
      // Forty rows: the worker stores the first slice before reaching the duplicate at index 27.
      const ids = Array.from({ length: 40 }, (_, i) => (i === 27 ? 'sliced-3' : `sliced-${i}`));
      for (const id of ids) writer.record(row(id));
      await writer.close();
      assert.equal(writer.rejected, 1, 'only the duplicate is refused, none of the rows stored before it');
      assert.equal(errors.length, 1);
      const stored = await database.db.selectFrom('request_logs').select('id').where('id', 'like', 'sliced-%').execute();
      assert.deepEqual(stored.map((r) => r.id).sort(), [...new Set(ids)].sort());
    });

    it('drops a refused row that comes right after a stored slice, or alone in its batch, instead of keeping it for ever', async () => {
      const errors: unknown[] = [];
      const writer = new RequestLogWriter(database.logInserter(), { flushIntervalMs: 60_000, batchSize: 1000, maxQueued: 10_000, onError: (e) => errors.push(e) });
      // Seventeen rows: the first sixteen are the worker's first slice, the seventeenth repeats an id.
      for (let i = 0; i < 16; i++) writer.record(row(`boundary-${i}`));
      writer.record(row('boundary-3'));
      await writer.flush();
      assert.equal(writer.pending, 0, 'the duplicate is not queued again as if the database were down');
      assert.equal(writer.rejected, 1);
      // A batch of one refused row: dropped and counted too.
      writer.record(row('boundary-5'));
      await writer.flush();
      assert.equal(writer.pending, 0);
      assert.equal(writer.rejected, 2);
      await writer.close();
      assert.equal(errors.length, 2);
      const stored = await database.db.selectFrom('request_logs').select('id').where('id', 'like', 'boundary-%').execute();
      assert.equal(stored.length, 16);
    });

    it('hands a full batch over once the current tick is done, not inside record() (the answer is written first)', async () => {
      const batches: string[][] = [];
      const writer = new RequestLogWriter(async (rows) => void batches.push(rows.map((r) => r.id)), {
        flushIntervalMs: 60_000,
        batchSize: 2,
        maxQueued: 10_000,
        onError: () => assert.fail('no error expected'),
      });
      writer.record(row('tick-0'));
      writer.record(row('tick-1'));
      writer.record(row('tick-2'));
      assert.deepEqual(batches, [], 'nothing is handed over synchronously');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(batches, [['tick-0', 'tick-1', 'tick-2']], 'one hand-over, with what the tick recorded');
      await writer.close();
    });

    it('makes a row after the current tick (recordAfterThisTick), and flush() and pending count it before then', async () => {
      const batches: string[][] = [];
      const seen: string[] = [];
      const errors: unknown[] = [];
      const writer = new RequestLogWriter(async (rows) => void batches.push(rows.map((r) => r.id)), { flushIntervalMs: 60_000, batchSize: 1000, maxQueued: 10_000, onError: (e) => errors.push(e) });
      writer.onRecord((r) => seen.push(r.id));
      let made = 0;
      writer.recordAfterThisTick(() => {
        made++;
        return { row: row('later-0') };
      });
      writer.recordAfterThisTick(() => {
        throw new Error('bad row');
      });
      writer.recordAfterThisTick(() => ({ row: row('later-1') }));
      assert.equal(made, 0, 'nothing is made inside the call');
      assert.equal(writer.pending, 3);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(seen, ['later-0', 'later-1'], 'made and told to the listeners after the tick, in order');
      assert.equal(errors.length, 1, 'a row that cannot be made is reported; the others are kept');
      assert.match(String(errors[0]), /bad row/);
      // A flush in the same tick as the call takes the arriving row in: nothing waits to be lost.
      writer.recordAfterThisTick(() => ({ row: row('later-2') }));
      await writer.flush();
      assert.deepEqual(batches, [['later-0', 'later-1', 'later-2']]);
      assert.equal(writer.pending, 0);
      await writer.close();
    });

    it('close() writes a row that arrives while its last batch is being written, and counts a row recorded after it', async () => {
      const batches: string[][] = [];
      const errors: unknown[] = [];
      // Its own callbacks refer to it; they run only once it is made.
      const writer: RequestLogWriter = new RequestLogWriter(
        async (rows) => {
          batches.push(rows.map((r) => r.id));
          // A request finishing while the shutdown's batch is on its way.
          if (rows.some((r) => r.id === 'closing-0')) writer.recordAfterThisTick(() => ({ row: row('closing-late') }));
          await new Promise((resolve) => setImmediate(resolve));
        },
        { flushIntervalMs: 60_000, batchSize: 1000, maxQueued: 10_000, onError: (e) => errors.push(e) },
      );
      writer.record(row('closing-0'));
      await writer.close();
      assert.deepEqual(batches, [['closing-0'], ['closing-late']]);
      assert.equal(writer.pending, 0);
      assert.deepEqual(errors, []);
      writer.record(row('after-close'));
      assert.equal(writer.pending, 0, 'not kept where nothing would ever write it');
      assert.equal(writer.dropped, 1);
      assert.match(String(errors[0]), /after the log writer closed/);
    });

    it('past maxQueued while the database is failing, drops the oldest rows and counts them', async () => {
      const errors: unknown[] = [];
      const writer = new RequestLogWriter(
        async () => {
          throw new Error('database is down');
        },
        { flushIntervalMs: 60_000, batchSize: 1000, maxQueued: 2, onError: (e) => errors.push(e) },
      );
      for (let i = 0; i < 3; i++) writer.record(row(`full-${i}`));
      await writer.flush();
      assert.equal(writer.pending, 2);
      assert.equal(writer.dropped, 1);
      await assert.rejects(writer.close(0, 0), /2 request log rows could not be written/);
    });

    it('keeps every row while the database is failing, and says so at close', async () => {
      let failing = true;
      const written: RequestLogRow[] = [];
      const flaky = async (rows: readonly RequestLogRow[]) => {
        if (failing) throw new Error('database is down');
        written.push(...rows);
      };
      const errors: unknown[] = [];
      const writer = new RequestLogWriter(flaky, { flushIntervalMs: 60_000, batchSize: 1000, maxQueued: 10_000, onError: (e) => errors.push(e) });
      for (let i = 0; i < 3; i++) writer.record(row(`down-${i}`));
      await writer.flush();
      assert.equal(writer.pending, 3);
      await assert.rejects(writer.close(1, 1), /3 request log rows could not be written/);
      failing = false;
      await writer.close(0, 0);
      assert.equal(written.length, 3);
      assert.equal(writer.rejected, 0);
    });

    it('after a batch stored in part, tries only the rows not stored, each once', async () => {
      const written: string[] = [];
      // Stores the first two rows of any batch, then fails, as a sliced writer would after a fault.
      const partly = async (rows: readonly RequestLogRow[]) => {
        const stored = rows.slice(0, 2);
        written.push(...stored.map((r) => r.id));
        if (stored.length === rows.length) return;
        throw new PartialInsertError('disk I/O error', stored.length);
      };
      const errors: unknown[] = [];
      const writer = new RequestLogWriter(partly, { flushIntervalMs: 60_000, batchSize: 1000, maxQueued: 10_000, onError: (e) => errors.push(e) });
      for (let i = 0; i < 6; i++) writer.record(row(`partial-${i}`));
      await writer.flush();
      // The rows after the two stored are tried one by one, and a one-row insert goes through here:
      // each row is stored once, and none is counted as refused.
      assert.equal(writer.pending, 0);
      assert.equal(writer.rejected, 0);
      assert.deepEqual(written, ['partial-0', 'partial-1', 'partial-2', 'partial-3', 'partial-4', 'partial-5'], 'no row written twice');
      assert.equal(errors.length, 0);
      await writer.close();
    });

    it('after a batch stored in part and a database that then refuses everything, queues only the rows not stored', async () => {
      let calls = 0;
      let failing = true;
      const written: string[] = [];
      const flaky = async (rows: readonly RequestLogRow[]) => {
        calls++;
        if (!failing) return void written.push(...rows.map((r) => r.id));
        // The first call stores three rows and fails; every later call fails outright.
        if (calls === 1) {
          written.push(...rows.slice(0, 3).map((r) => r.id));
          throw new PartialInsertError('database is down', 3);
        }
        throw new Error('database is down');
      };
      const errors: unknown[] = [];
      const writer = new RequestLogWriter(flaky, { flushIntervalMs: 60_000, batchSize: 1000, maxQueued: 10_000, onError: (e) => errors.push(e) });
      for (let i = 0; i < 5; i++) writer.record(row(`down-partial-${i}`));
      await writer.flush();
      assert.equal(writer.pending, 2, 'the three stored rows are not queued again');
      assert.equal(writer.rejected, 0);
      failing = false;
      await writer.close(0, 0);
      assert.deepEqual(written, ['down-partial-0', 'down-partial-1', 'down-partial-2', 'down-partial-3', 'down-partial-4']);
    });

    it('keeps usage_hourly equal to the logs it rolls up, through every insert path', async () => {
      const logs = await database.db
        .selectFrom('request_logs')
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum<number>('total_tokens').as('tokens'), eb.fn.sum<number>('latency_ms').as('latency')])
        .executeTakeFirstOrThrow();
      const hourly = await database.db
        .selectFrom('usage_hourly')
        .select((eb) => [eb.fn.sum<number>('requests').as('n'), eb.fn.sum<number>('total_tokens').as('tokens'), eb.fn.sum<number>('latency_ms_sum').as('latency')])
        .executeTakeFirstOrThrow();
      assert.ok(Number(logs.n) > 2000);
      assert.deepEqual([Number(hourly.n), Number(hourly.tokens), Number(hourly.latency)], [Number(logs.n), Number(logs.tokens), Number(logs.latency)]);
      const analytics = new AnalyticsRepository(database.db);
      const everyone = await analytics.totals({ userId: undefined, since: '2000-01-01T00:00:00.000Z' });
      const operator = await analytics.totals({ userId: 'operator', since: '2000-01-01T00:00:00.000Z' });
      assert.deepEqual(everyone, operator, 'the rollup and the per-user path agree');
    });

    it('generates an operator token once, storing only its hash', async () => {
      const settings = new SettingsRepository(database.db);
      const first = await resolveOperatorToken(undefined, settings);
      assert.equal(first.source, 'generated');
      assert.match(first.generated!, /^cbr_[A-Za-z0-9_-]{43}$/);
      const stored = await database.db.selectFrom('settings').select('value').executeTakeFirstOrThrow();
      assert.ok(!stored.value.includes(first.generated!.slice(4)));
      assert.equal(stored.value, sha256(first.generated!).toString('hex'));
      const second = await resolveOperatorToken(undefined, settings);
      assert.equal(second.source, 'stored');
      assert.equal(second.generated, undefined);
      assert.ok(tokenMatchesHash(first.generated!, second.hash));
      const fromEnv = await resolveOperatorToken('an-operator-chosen-token', settings);
      assert.equal(fromEnv.source, 'environment');
      assert.ok(!tokenMatchesHash(first.generated!, fromEnv.hash));
    });
  });

for (const { name: dialect, make, missing } of TEST_DIALECTS)
  describe(`migrations on ${dialect}`, needs(missing), () => {
    failInCi(missing);
    it('run down to nothing and up again, and keep tables away from anonymous API roles (Postgres RLS)', async () => {
      const target = make();
      const database = openDatabase(target.url, target.schema ? { schema: target.schema } : {});
      try {
        await migrateToLatest(database);
        if (target.dialect === 'postgres') {
          const { rows } = await sql<{
            relname: string;
            relrowsecurity: boolean;
          }>`select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ${target.schema} and c.relkind = 'r' and c.relname not like 'kysely_%'`.execute(
            database.db,
          );
          assert.equal(rows.length, 12);
          assert.ok(
            rows.every((r) => r.relrowsecurity),
            JSON.stringify(rows),
          );
        }
        assert.deepEqual(await migrateToBottom(database), [...ALL_MIGRATIONS].reverse());
        assert.deepEqual(await migrateToLatest(database), ALL_MIGRATIONS);
      } finally {
        await database.close();
        await target.drop();
      }
    });
  });

for (const { name: dialect, make, missing } of TEST_DIALECTS)
  describe(`the hardening migration on ${dialect}`, needs(missing), () => {
    failInCi(missing);
    it('counts what each user already stores, and gives existing keys the default scopes', async () => {
      const target = make();
      const database = openDatabase(target.url, target.schema ? { schema: target.schema } : {});
      try {
        await database.prepare();
        const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations }, ...(target.schema ? { migrationTableSchema: target.schema } : {}) });
        assert.equal((await migrator.migrateTo('0003-usage-hourly')).error, undefined);
        const db = database.db as unknown as Kysely<any>;
        await db
          .insertInto('interactions')
          .values([
            { user_id: 'operator', session_id: 's', role: 'user', content: 'héllo', model_used: null, created_at: '2026-01-01T00:00:00Z' },
            { user_id: 'operator', session_id: 's', role: 'assistant', content: 'hi', model_used: 'm', created_at: '2026-01-01T00:00:00Z' },
          ])
          .execute();
        await db.insertInto('gateway_keys').values({ id: 'k', user_id: 'operator', name: 'old', key_hash: 'h', key_prefix: 'gw_', rate_limit: 5, created_at: '2026-01-01T00:00:00Z' }).execute();
        assert.equal((await migrateToLatest(database))[0], '0004-hardening', 'the hardening migration runs next');
        const storage = await db.selectFrom('user_storage').selectAll().execute();
        assert.deepEqual(
          storage.map((r) => [r.user_id, Number(r.bytes)]),
          [['operator', 8]],
          'UTF-8 bytes: é is two',
        );
        assert.equal((await db.selectFrom('gateway_keys').select('scopes').executeTakeFirstOrThrow()).scopes, 'chat,read');
        // From now on the database keeps the count with every write and delete.
        const sessions = new SessionRepository(database.db);
        await sessions.append('operator', 's2', [
          { role: 'user', content: 'ab' },
          { role: 'assistant', content: 'cde', modelUsed: 'm' },
        ]);
        await sessions.append('someone', 's', [{ role: 'user', content: 'xyz' }]);
        const bytes = async () => Object.fromEntries((await db.selectFrom('user_storage').selectAll().execute()).map((r) => [r.user_id, Number(r.bytes)]));
        assert.deepEqual(await bytes(), { operator: 13, someone: 3 });
        await sessions.delete('operator', 's');
        assert.deepEqual(await bytes(), { operator: 5, someone: 3 });
      } finally {
        await database.close();
        await target.drop();
      }
    });
  });

describe('rollUp', () => {
  it('sums log rows per hour, provider and model, with no provider as empty', () => {
    const rows = [
      { ...row('1'), created_at: '2026-11-22T10:05:00.000Z', total_tokens: 3, cost_usd: 0.5 },
      { ...row('2'), created_at: '2026-11-22T10:59:59.999Z', total_tokens: 4, status: 'error' as const, cache_hit: 1 },
      { ...row('3'), created_at: '2026-11-22T11:00:00.000Z' },
      { ...row('4'), created_at: '2026-11-22T10:30:00.000Z', provider: null, model_used: null },
    ];
    const buckets = rollUp(rows).sort((a, b) => (a.hour + a.provider).localeCompare(b.hour + b.provider));
    assert.deepEqual(
      buckets.map((b) => [b.hour, b.provider, b.model, b.requests, b.successes, b.total_tokens, b.cost_usd, b.cache_hits]),
      [
        ['2026-11-22T10', '', '', 1, 1, 3, 0, 0],
        ['2026-11-22T10', 'openrouter', 'm', 2, 1, 7, 0.5, 1],
        ['2026-11-22T11', 'openrouter', 'm', 1, 1, 3, 0, 0],
      ],
    );
  });
});

describe('bearer tokens', () => {
  it('parses the Authorization header', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer  abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken('Bearer'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});

describe('SQLite statement cache', () => {
  it('prepares each SQL text once, evicting the least recently used past its size', async () => {
    const SQLite = (await import('better-sqlite3')).default;
    const { withStatementCache } = await import('../../src/store/sqlite-statement-cache.js');
    const sqlite = new SQLite(':memory:');
    let prepared = 0;
    const counting = new Proxy(sqlite, {
      get: (target, key) => (key === 'prepare' ? (sql: string) => (prepared++, target.prepare(sql)) : Reflect.get(target, key)),
    });
    const db = withStatementCache(counting, 2);
    const a = db.prepare('select 1 as x');
    assert.equal(db.prepare('select 1 as x'), a);
    assert.deepEqual(a.all([]), [{ x: 1 }]);
    db.prepare('select 2');
    db.prepare('select 1 as x'); // touch: now most recently used
    db.prepare('select 3'); // evicts 'select 2'
    db.prepare('select 1 as x');
    assert.equal(prepared, 3);
    db.prepare('select 2');
    assert.equal(prepared, 4);
    db.close();
  });
});

describe('Postgres connection safety', () => {
  const postgres = TEST_DIALECTS[1];
  it('warns when TLS encrypts without verifying the certificate, and only then', async () => {
    const { tlsWarning } = await import('../../src/store/postgres.js');
    assert.match(tlsWarning('require', 'postgres://u:p@db.example.supabase.co:5432/postgres') ?? '', /does not verify.*DATABASE_SSL=verify/);
    assert.equal(tlsWarning('verify', 'postgres://u:p@db.example.com/postgres'), undefined);
    assert.equal(tlsWarning('off', 'postgres://u:p@127.0.0.1/postgres'), undefined);
  });

  it('fails a query that runs past DATABASE_QUERY_TIMEOUT_MS instead of hanging, and keeps the pool usable', needs(postgres.missing), async () => {
    if (postgres.missing) throw new Error(`missing under CI=true: ${postgres.missing}`);
    const target = postgres.make();
    const database = openDatabase(target.url, { schema: target.schema!, queryTimeoutMs: 300 });
    try {
      const started = Date.now();
      await assert.rejects(sql`select pg_sleep(5)`.execute(database.db), /statement timeout/i);
      assert.ok(Date.now() - started < 2_000);
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      assert.equal(rows[0]?.one, 1);
      // Migrations run without the bound (a backfill may take longer than any request should).
      await migrateToLatest(database);
    } finally {
      await database.close();
      await target.drop();
    }
  });

  it('lives through a connection cut while its query runs (a pooler restarting, a network cut), and goes on', needs(postgres.missing), async () => {
    if (postgres.missing) throw new Error(`missing under CI=true: ${postgres.missing}`);
    const { createServer, connect } = await import('node:net');
    const upstream = new URL(TEST_POSTGRES_URL);
    const open = new Set<import('node:net').Socket>();
    // A proxy in front of the test Postgres, whose connections the test can cut.
    const proxy = createServer((client) => {
      const server = connect(Number(upstream.port || 5432), upstream.hostname);
      open.add(client);
      client.pipe(server).pipe(client);
      const drop = () => {
        client.destroy();
        server.destroy();
        open.delete(client);
      };
      client.on('error', drop).on('close', drop);
      server.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const url = new URL(TEST_POSTGRES_URL);
    url.host = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
    const errors: Error[] = [];
    const database = openDatabase(url.toString(), { onConnectionError: (err) => errors.push(err) });
    try {
      const running = sql`select pg_sleep(2)`.execute(database.db);
      await new Promise((r) => setTimeout(r, 300));
      for (const socket of open) socket.resetAndDestroy();
      await assert.rejects(running);
      await new Promise((r) => setTimeout(r, 100));
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      assert.equal(rows[0]?.one, 1, 'a new connection serves the next query');
    } finally {
      await database.close();
      proxy.close();
    }
  });

  it('fails a connection that cannot be made within DATABASE_TIMEOUT_MS', async () => {
    // A port that accepts TCP but never speaks Postgres.
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const database = openDatabase(`postgres://postgres@127.0.0.1:${port}/test`, { connectTimeoutMs: 300 });
    try {
      const started = Date.now();
      await assert.rejects(sql`select 1`.execute(database.db), /timeout/i);
      assert.ok(Date.now() - started < 2_000);
    } finally {
      await database.close();
      silent.close();
    }
  });
});
