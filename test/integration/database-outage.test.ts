/**
 * The database goes away under a running gateway and comes back: a Postgres of the test's own,
 * stopped and started while requests are served. The process must live through it, say so on
 * /health, and recover by itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caller, chatBody } from '../helpers/api.js';
import { privatePostgresMissing, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { failInCi, needs } from '../helpers/requirements.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

const missing = await privatePostgresMissing();

describe('a Postgres restart under a running gateway', { ...needs(missing), timeout: 60_000 }, () => {
  failInCi(missing);
  let pg: PrivatePostgres;
  let s: Stack | undefined;
  const call = caller(() => s!);
  const health = async () => (await fetch(`${s!.url}/health`)).status;
  const until = async (what: () => Promise<boolean>, ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await what()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };

  before(async () => {
    pg = await startPrivatePostgres();
    s = await startStack({ DATABASE_URL: pg.url, DATABASE_SCHEMA: 'cerebro', DATABASE_TIMEOUT_MS: '1000', DATABASE_QUERY_TIMEOUT_MS: '2000' });
  });
  after(async () => {
    // Started again first (it may have been left stopped by a failure), so the gateway can close cleanly.
    await pg?.start().catch(() => undefined);
    await s?.close().catch(() => undefined);
    await pg?.destroy();
  });

  it('lives through it, answers 503 on /health while the database is away, and 200 again by itself', async (t) => {
    for (let i = 0; i < 5; i++) assert.equal((await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody(`before ${i}`))).status, 200);
    assert.equal(await health(), 200);
    await pg.stop();
    // The pool's idle connections are terminated by the server: unhandled, that used to end the process.
    await new Promise((r) => setTimeout(r, 500));
    const down = await fetch(`${s!.url}/health`);
    assert.equal(down.status, 503);
    const body = (await down.json()) as { status: string; database: string };
    assert.equal(body.database, 'unreachable');
    // Requests that need nothing stored are still answered; their log rows wait in memory.
    const during: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody(`during ${i}`));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      during.push(res.body.id as string);
    }
    // One that needs memory is told so before any provider is called, and quickly.
    const upstreamBefore = s!.emulator.requests.length;
    const started = Date.now();
    const memory = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('remember this', { session_id: 'outage' }));
    assert.equal(memory.status, 503);
    assert.equal(memory.body.error.code, 'memory_unavailable');
    assert.ok(Date.now() - started < 3_000, `answered after ${Date.now() - started} ms`);
    assert.equal(s!.emulator.requests.length, upstreamBefore, 'no provider was called');
    await pg.start();
    const restarted = Date.now();
    assert.ok(await until(async () => (await health()) === 200, 15_000), '/health is 200 again without a restart');
    const recoveredMs = Date.now() - restarted;
    assert.equal((await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('after'))).status, 200);
    // The rows of the requests answered during the outage are written once the database is back.
    const { default: pgDriver } = await import('pg');
    const client = new pgDriver.Client({ connectionString: pg.url });
    await client.connect();
    try {
      const logged = async () => (await client.query('select id from cerebro.request_logs where id = any($1)', [during])).rowCount;
      assert.ok(
        await until(async () => (await logged()) === during.length, 10_000),
        `${await logged()} of ${during.length} rows written after recovery (dropped ${s!.gateway.logs.dropped}, refused ${s!.gateway.logs.rejected}, pending ${s!.gateway.logs.pending})`,
      );
      t.diagnostic(
        `outage: ${during.length} of ${during.length} requests without a session answered, the session request refused, /health 200 ${recoveredMs} ms after the server was back, ${await logged()} rows of the outage written`,
      );
    } finally {
      await client.end();
    }
  });
});
