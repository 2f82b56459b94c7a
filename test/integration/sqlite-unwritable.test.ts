/**
 * A SQLite file that stops taking writes under a running gateway (a read-only or full disk, played
 * here by making the file immutable): the process lives on, /health says so, requests that need
 * nothing stored are answered, those that must store are refused before any provider is called, and
 * all is well again by itself once the file takes writes.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { caller, chatBody } from '../helpers/api.js';
import { failInCi, needs } from '../helpers/requirements.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

const run = promisify(execFile);

/** Whether a file can be made immutable here (root, chattr, a filesystem and capability that allow it). */
async function chattrMissing(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'the tests must run as root to make a file immutable (chattr +i)';
  const dir = mkdtempSync(join(tmpdir(), 'cerebro-chattr-'));
  const probe = join(dir, 'probe');
  writeFileSync(probe, '');
  try {
    await run('chattr', ['+i', probe]);
    await run('chattr', ['-i', probe]);
    return undefined;
  } catch (err) {
    return `a file cannot be made immutable here (chattr +i: ${(err as Error).message.split('\n')[0]}); this needs root, chattr and a filesystem that allows it`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const missing = await chattrMissing();

describe('a SQLite file that stops taking writes', needs(missing), () => {
  failInCi(missing);
  let s: Stack;
  const call = caller(() => s);
  let files: string[] = [];
  // A run that dies with the files immutable must not leave them so.
  const release = () => {
    try {
      execFileSync('chattr', ['-i', ...files], { stdio: 'ignore' });
    } catch {
      // already writable, or gone
    }
  };
  process.once('exit', release);
  before(async () => {
    s = await startStack({});
    const db = join(s.dir, 'cerebro.db');
    files = [db, `${db}-wal`];
  });
  after(async () => {
    release();
    process.off('exit', release);
    await s?.close();
  });

  it('keeps answering what needs nothing stored, refuses what must store before any provider call, and recovers by itself', async () => {
    assert.equal((await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('first', { session_id: 'disk' }))).status, 200);
    await s.gateway.logs.flush();
    await run('chattr', ['+i', ...files]);
    let stuck: string[] = [];
    try {
      // The first write to fail tells the gateway; after it, nothing is sent upstream for a session.
      const first = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('second', { session_id: 'disk' }));
      assert.equal(first.status, 503, JSON.stringify(first.body));
      const upstream = s.emulator.requests.length;
      const refused = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('third', { session_id: 'disk' }));
      assert.equal(refused.status, 503);
      assert.equal(refused.body.error.code, 'memory_unavailable');
      assert.equal(s.emulator.requests.length, upstream, 'no provider was called');
      const plain = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('no memory needed'));
      assert.equal(plain.status, 200);
      stuck = [plain.body.id as string];
      const health = await fetch(`${s.url}/health`);
      assert.equal(health.status, 503);
      assert.equal(((await health.json()) as { database: string }).database, 'not taking writes');
    } finally {
      await run('chattr', ['-i', ...files]);
    }
    // /health tries a write itself, at most every 5 s: healthy again by itself within that.
    let healthy = false;
    for (const end = Date.now() + 7_000; !healthy && Date.now() < end;) {
      healthy = (await fetch(`${s.url}/health`)).status === 200;
      if (!healthy) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(healthy, 'healthy again by itself');
    assert.equal((await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('fourth', { session_id: 'disk' }))).status, 200);
    await s.gateway.logs.flush();
    const db = (s.gateway.sessions as unknown as { db: Kysely<any> }).db;
    const rows = await db.selectFrom('request_logs').select('id').where('id', 'in', stuck).execute();
    assert.equal(rows.length, 1, 'the row of the answer given meanwhile is written once the file takes writes');
  });
});
