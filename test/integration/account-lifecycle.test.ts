/**
 * Accounts, a full life cycle, over HTTP on both databases: sign-out, password change, deletion,
 * and the operator's management (list, create, disable, re-enable, per-user daily limit).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { caller, chatBody, gatewayKey, PASSWORD, signup } from '../helpers/api.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { failInCi, needs } from '../helpers/requirements.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

const dbOf = (s: Stack) => (s.gateway.sessions as unknown as { db: Kysely<any> }).db;

for (const { name: dialect, make, missing } of TEST_DIALECTS) {
  describe(`account life cycle on ${dialect}`, needs(missing), () => {
    failInCi(missing);
    let s: Stack;
    const call = caller(() => s);
    const database = make();
    before(async () => {
      s = await startStack({ ...database.env, USERS_MAY_USE_OPERATOR_KEYS: 'true' }, { database });
    });
    after(() => s.close());

    it('signs out the token it was called with, and only that one', async () => {
      const { token } = await signup(call, 'leaver@example.com');
      const other = (await call('POST', '/api/auth/login', undefined, { email: 'leaver@example.com', password: PASSWORD })).body.access_token as string;
      const out = await call('POST', '/api/auth/logout', token);
      assert.equal(out.status, 204);
      const refused = await call('GET', '/api/auth/me', token);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error.code, 'token_revoked');
      assert.equal((await call('GET', '/api/auth/me', other)).status, 200, 'the other session goes on');
      assert.equal((await call('POST', '/api/auth/logout', TEST_TOKEN)).body.error.code, 'not_an_account_token');
    });

    it('keeps the deny-list short: past 32 signed-out tokens, one sign-out signs out every token', async () => {
      const { userId } = await signup(call, 'in-and-out@example.com');
      const tokens: string[] = [];
      for (let i = 0; i < 34; i++) tokens.push((await call('POST', '/api/auth/login', undefined, { email: 'in-and-out@example.com', password: PASSWORD })).body.access_token);
      for (const t of tokens.slice(0, 33)) assert.equal((await call('POST', '/api/auth/logout', t)).status, 204);
      assert.equal((await call('GET', '/api/auth/me', tokens[33])).body.error.code, 'token_revoked');
      const rows = await dbOf(s).selectFrom('revoked_tokens').select('jti').where('user_id', '=', userId).execute();
      assert.equal(rows.length, 0);
    });

    it('changes the password, revoking every earlier token and key-free session, and hands back a fresh token', async () => {
      const { token } = await signup(call, 'changer@example.com');
      const second = (await call('POST', '/api/auth/login', undefined, { email: 'changer@example.com', password: PASSWORD })).body.access_token as string;
      const key = await gatewayKey(call, token);
      const wrong = await call('POST', '/api/auth/password', token, { current_password: 'Not-The-One-1', new_password: 'Brand-New-Horse-7' });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error.param, 'current_password');
      const weak = await call('POST', '/api/auth/password', token, { current_password: PASSWORD, new_password: 'short' });
      assert.equal(weak.body.error.param, 'new_password');
      assert.equal((await call('POST', '/api/auth/password', token, { current_password: PASSWORD, new_password: PASSWORD })).body.error.param, 'new_password', 'the same password is no change');
      const changed = await call('POST', '/api/auth/password', token, { current_password: PASSWORD, new_password: 'Brand-New-Horse-7' });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      for (const old of [token, second]) assert.equal((await call('GET', '/api/auth/me', old)).body.error.code, 'token_revoked');
      assert.equal((await call('GET', '/api/auth/me', changed.body.access_token)).status, 200);
      assert.equal((await call('GET', '/api/auth/me', key.key)).status, 200, 'gateway keys are revoked on their own');
      assert.equal((await call('POST', '/api/auth/login', undefined, { email: 'changer@example.com', password: PASSWORD })).status, 401);
      assert.equal((await call('POST', '/api/auth/login', undefined, { email: 'changer@example.com', password: 'Brand-New-Horse-7' })).status, 200);
      // When a leaked token may have minted keys, the change can take every key with it.
      const again = await call('POST', '/api/auth/password', changed.body.access_token, { current_password: 'Brand-New-Horse-7', new_password: 'Third-Horse-Try-8', revoke_gateway_keys: true });
      assert.equal(again.status, 200);
      assert.equal((await call('GET', '/api/auth/me', key.key)).status, 401, 'the keys are revoked too');
    });

    it('deletes the account and everything it owns, anonymising its request logs', async () => {
      const { token, userId } = await signup(call, 'goner@example.com');
      const key = await gatewayKey(call, token);
      assert.equal((await call('PUT', '/api/config', token, { memory_messages: 3 })).status, 200);
      assert.equal((await call('POST', '/v1/chat/completions', key.key, chatBody('remember me', { session_id: 'mine' }))).status, 200);
      await s.gateway.logs.flush();
      assert.equal((await call('DELETE', '/api/auth/me', token, { password: 'wrong-password-1' })).status, 400);
      assert.equal((await call('DELETE', '/api/auth/me', key.key, { password: PASSWORD })).body.error.code, 'gateway_key_not_allowed');
      const deleted = await call('DELETE', '/api/auth/me', token, { password: PASSWORD });
      assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
      assert.equal((await call('GET', '/api/auth/me', token)).status, 401);
      assert.equal((await call('POST', '/v1/chat/completions', key.key, chatBody('still here?'))).status, 401, 'its keys stop at once');
      const db = dbOf(s);
      for (const table of ['users', 'gateway_keys', 'interactions', 'user_config', 'daily_usage', 'user_storage']) {
        const column = table === 'users' ? 'id' : 'user_id';
        assert.equal((await db.selectFrom(table).select(column).where(column, '=', userId).execute()).length, 0, table);
      }
      const logs = await db.selectFrom('request_logs').select(['user_id', 'gateway_key_id', 'session_id', 'total_tokens']).where('user_id', '=', 'deleted').execute();
      assert.ok(
        logs.some((r: { total_tokens: number }) => Number(r.total_tokens) > 0),
        'the cost history stays, without its owner',
      );
      assert.ok(logs.every((r: { gateway_key_id: unknown; session_id: unknown }) => r.gateway_key_id === null && r.session_id === null));
      assert.equal((await call('POST', '/api/auth/login', undefined, { email: 'goner@example.com', password: PASSWORD })).status, 401);
      // The address is free again.
      await signup(call, 'goner@example.com');
    });

    it('leaves nothing of an account deleted while its stream is in flight', async () => {
      const { token, userId } = await signup(call, 'mid-stream@example.com');
      s.emulator.script.add('openrouter', [{ behavior: { type: 'ok', text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '), chunkDelayMs: 10 } }]);
      const res = await fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(chatBody('a secret, please', { stream: true, session_id: 'private' })),
      });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      await reader.read();
      assert.equal((await call('DELETE', '/api/auth/me', token, { password: PASSWORD })).status, 204);
      while (!(await reader.read()).done);
      await new Promise((r) => setTimeout(r, 100));
      await s.gateway.logs.flush();
      const db = dbOf(s);
      for (const table of ['interactions', 'user_storage', 'daily_usage', 'request_logs']) {
        assert.deepEqual(await db.selectFrom(table).select('user_id').where('user_id', '=', userId).execute(), [], table);
      }
      assert.deepEqual(await db.selectFrom('request_logs').select('id').where('session_id', '=', 'private').execute(), [], 'the session id goes too');
    });

    it('runs nothing of an account deleted while a request of its was still arriving', async () => {
      const { token, userId } = await signup(call, 'half-sent@example.com');
      const { openRaw } = await import('../helpers/raw-http.js');
      const body = JSON.stringify(chatBody('secret after deletion', { session_id: 'late' }));
      const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
      const exchange = await openRaw(s.url, head + body.slice(0, 10));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await call('DELETE', '/api/auth/me', token, { password: PASSWORD })).status, 204);
      exchange.socket.write(body.slice(10));
      const answer = await exchange.answer(3_000);
      assert.equal(answer.status, 401, answer.text.slice(0, 200));
      exchange.socket.destroy();
      await s.gateway.logs.flush();
      const db = dbOf(s);
      for (const table of ['interactions', 'user_storage']) assert.deepEqual(await db.selectFrom(table).select('user_id').where('user_id', '=', userId).execute(), [], table);
    });

    it('lets the operator list, create, disable and re-enable accounts, refusing a disabled one at once', async () => {
      const created = await call('POST', '/api/admin/users', TEST_TOKEN, { email: 'invited@example.com' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.ok(created.body.password.length >= 20, 'a generated password, shown once');
      const id = created.body.user.id as string;
      const login = await call('POST', '/api/auth/login', undefined, { email: 'invited@example.com', password: created.body.password });
      assert.equal(login.status, 200);
      const jwt = login.body.access_token as string;
      const key = await gatewayKey(call, jwt);
      assert.equal((await call('POST', '/v1/chat/completions', key.key, chatBody('spend'))).status, 200);
      await s.gateway.logs.flush();

      const page = await call('GET', '/api/admin/users?limit=2', TEST_TOKEN);
      assert.equal(page.status, 200);
      assert.equal(page.body.users.length, 2);
      assert.equal(page.body.has_more, true);
      const everyone = [...page.body.users];
      let cursor = page.body.next_cursor as string | null;
      while (cursor) {
        const next = await call('GET', `/api/admin/users?limit=2&after=${cursor}`, TEST_TOKEN);
        everyone.push(...next.body.users);
        cursor = next.body.next_cursor;
      }
      const invited = everyone.find((u) => u.id === id);
      assert.ok(invited.tokens_used_today > 0, JSON.stringify(invited));
      assert.equal(new Set(everyone.map((u) => u.id)).size, everyone.length, 'no account twice');
      assert.equal((await call('GET', '/api/admin/users?after=garbage', TEST_TOKEN)).body.error.param, 'after');

      const disabled = await call('PATCH', `/api/admin/users/${id}`, TEST_TOKEN, { disabled: true, daily_token_limit: 50_000 });
      assert.equal(disabled.status, 200);
      assert.deepEqual([disabled.body.disabled, disabled.body.daily_token_limit], [true, 50_000]);
      for (const token of [jwt, key.key]) {
        const refused = await call('GET', '/api/auth/me', token);
        assert.equal(refused.status, 403);
        assert.equal(refused.body.error.code, 'account_disabled');
      }
      assert.equal((await call('POST', '/api/auth/login', undefined, { email: 'invited@example.com', password: created.body.password })).body.error.code, 'account_disabled');
      assert.equal((await call('PATCH', `/api/admin/users/${id}`, TEST_TOKEN, { disabled: false })).body.disabled, false);
      assert.equal((await call('GET', '/api/auth/me', key.key)).status, 200, 're-enabled the same way');

      // Only the operator manages accounts; bad input is named.
      assert.equal((await call('GET', '/api/admin/users', jwt)).status, 403);
      assert.equal((await call('GET', '/api/admin/users', key.key)).body.error.code, 'missing_scope');
      assert.equal((await call('PATCH', `/api/admin/users/${id}`, TEST_TOKEN, { disabled: 'yes' })).body.error.param, 'disabled');
      assert.equal((await call('PATCH', '/api/admin/users/nobody', TEST_TOKEN, { disabled: true })).status, 404);
      assert.equal((await call('PATCH', '/api/admin/users/operator', TEST_TOKEN, { disabled: true })).status, 400);
    });

    it("applies the operator's per-user daily limit over the gateway-wide one, and shows it to the user", async () => {
      const { token, userId } = await signup(call, 'capped@example.com');
      assert.equal((await call('PATCH', `/api/admin/users/${userId}`, TEST_TOKEN, { daily_token_limit: 1 })).status, 200);
      const config = await call('GET', '/api/config', token);
      assert.deepEqual([config.body.daily_token_limit, config.body.effective_daily_token_limit], [null, 1]);
      assert.equal((await call('PATCH', '/api/admin/users/operator', TEST_TOKEN, { daily_token_limit: 5 })).body.error.param, 'daily_token_limit', "the operator's own requests have no limit");
      assert.equal((await call('POST', '/v1/chat/completions', token, chatBody('one'))).status, 200);
      const refused = await call('POST', '/v1/chat/completions', token, chatBody('two'));
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error.code, 'daily_token_limit_exceeded');
    });
  });
}

describe('sign-up closed by default', () => {
  let s: Stack;
  const call = caller(() => s);
  before(async () => {
    s = await startStack({ ALLOW_SIGNUP: null });
  });
  after(() => s.close());

  it('refuses public sign-up until the operator opens it, while the operator can still create accounts', async () => {
    const res = await call('POST', '/api/auth/signup', undefined, { email: 'walk-in@example.com', password: PASSWORD });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'signup_disabled');
    assert.equal((await call('POST', '/api/admin/users', TEST_TOKEN, { email: 'walk-in@example.com', password: PASSWORD })).status, 201);
    assert.equal((await call('POST', '/api/auth/login', undefined, { email: 'walk-in@example.com', password: PASSWORD })).status, 200);
  });
});
