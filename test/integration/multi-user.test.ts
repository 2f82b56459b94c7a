/**
 * Accounts, gateway keys, provider keys, limits, isolation and analytics, end to end over HTTP
 * (the official openai SDK for /v1), once on SQLite and once on the machine's PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import OpenAI from 'openai';
import { sha256 } from '../../src/security/operator-token.js';
import type { Database } from '../../src/store/schema.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { failInCi, needs } from '../helpers/requirements.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

const MASTER = 'test-master-encryption-key-0123456789abcdef';
const OPENROUTER_KEY = 'sk-or-v1-user0000000000000000000000000000aaaa';

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

const dbOf = (s: Stack) => (s.gateway.sessions as unknown as { db: Kysely<Database> }).db;

for (const { name: dialect, make, missing } of TEST_DIALECTS) {
  describe(`multi-user on ${dialect}`, needs(missing), () => {
    failInCi(missing);
    let s: Stack;
    const call = async (method: string, path: string, token: string | undefined, body?: unknown): Promise<Answer> => {
      const headers: Record<string, string> = {};
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${s.url}${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    };
    const signup = async (email: string) => {
      const res = await call('POST', '/api/auth/signup', undefined, { email, password: 'Correct-Horse-9', name: 'Test' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { access_token: string; user: { id: string } };
    };
    /** A user with a gateway key and their own OpenRouter key. */
    const userWithKey = async (email: string, rateLimit?: number) => {
      const account = await signup(email);
      const added = await call('POST', '/api/keys/providers', account.access_token, { provider: 'openrouter', api_key: OPENROUTER_KEY });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      const key = await call('POST', '/api/keys/gateway', account.access_token, { name: 'test', ...(rateLimit ? { rate_limit: rateLimit } : {}) });
      assert.equal(key.status, 201);
      return { jwt: account.access_token, userId: account.user.id, key: key.body.key as string, keyId: key.body.id as string };
    };
    const sdk = (apiKey: string) => new OpenAI({ baseURL: `${s.url}/v1`, apiKey, maxRetries: 0 });

    const database = make();
    before(async () => {
      s = await startStack({ ...database.env, MASTER_ENCRYPTION_KEY: MASTER, USERS_MAY_USE_OPERATOR_KEYS: 'false' }, { database });
    });
    after(() => s.close());

    describe('accounts', () => {
      it('signs up with a normalised e-mail and returns a 24 h bearer token', async () => {
        const res = await call('POST', '/api/auth/signup', undefined, { email: '  Ana@Example.COM ', password: 'Correct-Horse-9', name: 'Ana' });
        assert.equal(res.status, 201);
        assert.equal(res.body.token_type, 'bearer');
        assert.equal(res.body.expires_in, 86_400);
        assert.equal(res.body.user.email, 'ana@example.com');
        assert.equal(res.body.user.name, 'Ana');
        assert.equal(res.body.user.is_admin, false);
        assert.equal('password_hash' in res.body.user, false);
        const me = await call('GET', '/api/auth/me', res.body.access_token);
        assert.equal(me.status, 200);
        assert.equal(me.body.email, 'ana@example.com');
        assert.equal(me.body.authenticated_with, 'jwt');
        const stored = await dbOf(s).selectFrom('users').select('password_hash').where('email', '=', 'ana@example.com').executeTakeFirstOrThrow();
        assert.match(stored.password_hash ?? '', /^\$argon2id\$/);
      });

      it('refuses a duplicate e-mail (in any case), weak passwords and bad input with clear 4xx', async () => {
        const cases: Array<[unknown, number, string | null]> = [
          [{ email: 'ANA@example.com', password: 'Another-Pass-1' }, 409, 'email'],
          [{ email: 'bo@example.com', password: 'short' }, 400, 'password'],
          [{ email: 'bo@example.com', password: '1234567890' }, 400, 'password'],
          [{ email: 'not-an-email', password: 'Correct-Horse-9' }, 400, 'email'],
          [{ email: 'bo@example.com' }, 400, 'password'],
          [{ email: 42, password: 'Correct-Horse-9' }, 400, 'email'],
          ['{"email": ', 400, null],
          [[], 400, null],
        ];
        for (const [body, status, param] of cases) {
          const res = await call('POST', '/api/auth/signup', undefined, body);
          assert.equal(res.status, status, JSON.stringify(body));
          assert.equal(res.body.error.param, param, JSON.stringify(res.body));
          assert.equal(typeof res.body.error.message, 'string');
        }
      });

      it('logs in, and a failed log-in does not say which part was wrong', async () => {
        const ok = await call('POST', '/api/auth/login', undefined, { email: 'Ana@example.com', password: 'Correct-Horse-9' });
        assert.equal(ok.status, 200);
        assert.ok(ok.body.access_token);
        const wrongPassword = await call('POST', '/api/auth/login', undefined, { email: 'ana@example.com', password: 'Wrong-Horse-9' });
        const unknownEmail = await call('POST', '/api/auth/login', undefined, { email: 'nobody@example.com', password: 'Correct-Horse-9' });
        assert.equal(wrongPassword.status, 401);
        assert.equal(unknownEmail.status, 401);
        assert.deepEqual(wrongPassword.body, unknownEmail.body);
      });

      it('refuses a forged or garbage token, and knows the operator as the admin', async () => {
        assert.equal((await call('GET', '/api/auth/me', 'a.b.c')).status, 401);
        assert.equal((await call('GET', '/api/auth/me', 'gw_' + 'x'.repeat(32))).status, 401);
        assert.equal((await call('GET', '/api/auth/me', undefined)).status, 401);
        const op = await call('GET', '/api/auth/me', TEST_TOKEN);
        assert.equal(op.status, 200);
        assert.equal(op.body.is_admin, true);
        assert.equal(op.body.authenticated_with, 'operator_token');
      });
    });

    describe('gateway keys', () => {
      it('issues a key once, stores only its hash, lists it without the key, and revokes it', async () => {
        const { access_token: jwt } = await signup('keys@example.com');
        const created = await call('POST', '/api/keys/gateway', jwt, { name: 'laptop', rate_limit: 7 });
        assert.equal(created.status, 201);
        const key = created.body.key as string;
        assert.match(key, /^gw_[A-Za-z0-9]{32}$/);
        assert.equal(created.body.rate_limit, 7);
        assert.equal(created.body.key_prefix, key.slice(0, 7));
        const row = await dbOf(s).selectFrom('gateway_keys').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
        assert.equal(row.key_hash, sha256(key).toString('hex'));
        assert.ok(!Object.values(row).some((v) => typeof v === 'string' && v.includes(key.slice(3))), 'the key itself is not stored');

        const defaults = await call('POST', '/api/keys/gateway', jwt, {});
        assert.equal(defaults.body.rate_limit, 100);
        const listed = await call('GET', '/api/keys/gateway', jwt);
        assert.equal(listed.body.keys.length, 2);
        assert.ok(listed.body.keys.every((k: Record<string, unknown>) => !('key' in k) && !('key_hash' in k)));

        const me = await call('GET', '/api/auth/me', key);
        assert.equal(me.body.email, 'keys@example.com');
        assert.equal(me.body.authenticated_with, 'gateway_key');
        const used = (await call('GET', '/api/keys/gateway', jwt)).body.keys.find((k: { id: string }) => k.id === created.body.id);
        assert.ok(used.last_used_at, 'last_used_at is kept up to date');

        assert.equal((await call('DELETE', `/api/keys/gateway/${created.body.id}`, jwt)).body.is_active, false);
        assert.equal((await call('GET', '/api/auth/me', key)).status, 401, 'a revoked key stops working at once');
        assert.equal((await call('DELETE', `/api/keys/gateway/${created.body.id}`, jwt)).status, 404);
        assert.equal((await call('POST', '/api/keys/gateway', jwt, { rate_limit: 0 })).body.error.param, 'rate_limit');
      });

      it("gives the operator's own keys (say, for n8n) the operator's providers and view", async () => {
        const created = await call('POST', '/api/keys/gateway', TEST_TOKEN, { name: 'n8n' });
        assert.equal(created.status, 201);
        const answer = await sdk(created.body.key).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] });
        assert.ok(answer.choices[0]?.message.content);
        const me = await call('GET', '/api/auth/me', created.body.key);
        assert.equal(me.body.is_admin, false, 'an admin only with the admin scope');
        assert.deepEqual(me.body.scopes, ['chat', 'read']);
      });

      it('lets a gateway key call /v1 and read its account, but not manage keys or settings', async () => {
        const user = await userWithKey('scoped@example.com');
        assert.equal((await call('GET', '/api/config', user.key)).status, 200);
        assert.equal((await call('GET', '/api/analytics/overview', user.key)).status, 200);
        for (const [method, path, body] of [
          ['POST', '/api/keys/gateway', { name: 'minted by a thief' }],
          ['GET', '/api/keys/gateway', undefined],
          ['DELETE', `/api/keys/gateway/${user.keyId}`, undefined],
          ['PUT', '/api/config', { memory_messages: 1 }],
          ['POST', '/api/keys/providers', { provider: 'openrouter', api_key: OPENROUTER_KEY }],
        ] as const) {
          const res = await call(method, path, user.key, body);
          assert.equal(res.status, 403, `${method} ${path}`);
          assert.equal(res.body.error.code, 'gateway_key_not_allowed');
        }
        assert.equal((await call('GET', '/api/auth/me', user.key)).status, 200, 'the key still works');
      });

      it('refuses a forged account token for the operator, even signed with the stored secret', async () => {
        const { signAccessToken } = await import('../../src/security/access-token.js');
        const stored = await dbOf(s).selectFrom('settings').select('value').where('key', '=', 'jwt_secret').executeTakeFirstOrThrow();
        const forged = await signAccessToken('operator', stored.value);
        assert.equal((await call('GET', '/api/auth/me', forged)).status, 401);
        const user = await signup('realuser@example.com');
        assert.equal((await call('GET', '/api/auth/me', await signAccessToken(user.user.id, stored.value))).status, 200);
      });

      it('validates ids, providers, caps and NUL characters with 400s on every database', async () => {
        const { access_token: jwt } = await signup('validate@example.com');
        const cases: Array<[string, string, unknown, string | null]> = [
          ['DELETE', '/api/keys/gateway/not-a-uuid', undefined, 'id'],
          ['DELETE', '/api/keys/gateway/abc%00', undefined, 'id'],
          ['DELETE', '/api/keys/providers/nope', undefined, 'provider'],
          ['POST', '/api/keys/gateway', { rate_limit: 5000 }, 'rate_limit'],
          ['POST', '/api/keys/gateway', { name: 'a\u0000b' }, 'name'],
          ['PUT', '/api/config', { default_model: 'openai/x\u0000' }, 'default_model'],
          ['POST', '/v1/chat/completions', { messages: [{ role: 'user', content: 'a\u0000b' }], session_id: 's' }, 'messages[0].content'],
        ];
        for (const [method, path, body, param] of cases) {
          const res = await call(method, path, jwt, body);
          assert.equal(res.status, 400, `${method} ${path} ${JSON.stringify(res.body)}`);
          assert.equal(res.body.error.param, param, `${method} ${path}`);
        }
        const login = await call('POST', '/api/auth/login', undefined, { email: 'a\u0000@x.io', password: 'Correct-Horse-9' });
        assert.equal(login.status, 400);
      });

      it('throttles repeated log-ins for one e-mail', async () => {
        await signup('throttled@example.com');
        // Ten a minute: 21 quick attempts meet a 429 even if they straddle a minute boundary.
        let refused: Answer | undefined;
        for (let i = 0; i < 21 && !refused; i++) {
          const res = await call('POST', '/api/auth/login', undefined, { email: 'throttled@example.com', password: 'Wrong-Horse-9' });
          if (res.status === 429) refused = res;
          else assert.equal(res.status, 401);
        }
        assert.ok(refused, 'a 429 came');
        assert.equal(refused.body.error.code, 'too_many_attempts');
        assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      });

      it('limits requests per minute per key with 429, Retry-After and x-ratelimit headers', async () => {
        const user = await userWithKey('limited@example.com', 2);
        const client = sdk(user.key);
        const first = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'one' }] }).withResponse();
        assert.equal(first.response.headers.get('x-ratelimit-limit'), '2');
        assert.equal(first.response.headers.get('x-ratelimit-remaining'), '1');
        await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'two' }] });
        // Two a minute in fixed windows: within five quick requests a 429 comes, boundary or not.
        let refused = await call('POST', '/v1/chat/completions', user.key, { model: 'auto', messages: [{ role: 'user', content: 'three' }] });
        for (let i = 0; i < 2 && refused.status === 200; i++) refused = await call('POST', '/v1/chat/completions', user.key, { model: 'auto', messages: [{ role: 'user', content: 'more' }] });
        assert.equal(refused.status, 429);
        assert.equal(refused.body.error.code, 'rate_limit_exceeded');
        assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
        const retryAfter = Number(refused.headers.get('retry-after'));
        assert.ok(retryAfter >= 1 && retryAfter <= 60);
        assert.ok(Number(refused.headers.get('x-ratelimit-reset')) <= 60);
      });

      it('puts the rate-limit headers on streamed answers too', async () => {
        const user = await userWithKey('streamer@example.com');
        const res = await fetch(`${s.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${user.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hi' }] }),
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-ratelimit-limit'), '100');
        assert.equal(res.headers.get('x-ratelimit-remaining'), '99');
        assert.match(await res.text(), /\[DONE\]/);
      });
    });

    describe('provider keys', () => {
      it('checks the format, verifies upstream, stores the key encrypted and shows only its last 4', async () => {
        const { access_token: jwt, user } = await signup('byok@example.com');
        const badFormat = await call('POST', '/api/keys/providers', jwt, { provider: 'openrouter', api_key: 'not-a-key' });
        assert.equal(badFormat.status, 400);
        assert.equal(badFormat.body.error.code, 'invalid_key_format');
        assert.equal((await call('POST', '/api/keys/providers', jwt, { provider: 'nope', api_key: 'x' })).body.error.param, 'provider');

        s.emulator.script.add('anthropic', [{ behavior: { type: 'error', status: 401, message: 'invalid x-api-key' } }]);
        const refused = await call('POST', '/api/keys/providers', jwt, { provider: 'anthropic', api_key: 'sk-ant-api03-revokedrevokedrevoked00' });
        assert.equal(refused.status, 400);
        assert.equal(refused.body.error.code, 'invalid_provider_key');

        const key = 'AIzaSyA0123456789abcdefghijklmnopqrstuv';
        const added = await call('POST', '/api/keys/providers', jwt, { provider: 'gemini', api_key: key });
        assert.equal(added.status, 201, JSON.stringify(added.body));
        assert.deepEqual(Object.keys(added.body).sort(), ['created_at', 'is_active', 'last4', 'last_verified_at', 'provider', 'status']);
        assert.equal(added.body.last4, 'stuv');
        assert.equal(added.body.status, 'valid');
        const check = s.emulator.requests.filter((r) => r.provider === 'gemini' && r.path.startsWith('/gemini/v1beta/models?')).at(-1);
        assert.equal(check?.headers['x-goog-api-key'], key, 'verified with a cheap authenticated GET');

        const row = await dbOf(s).selectFrom('provider_keys').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
        assert.ok(!row.ciphertext.includes(key) && !row.ciphertext.includes(key.slice(4, 20)));
        assert.match(row.ciphertext, /^v1\./);
        const listed = await call('GET', '/api/keys/providers', jwt);
        assert.deepEqual(
          listed.body.keys.map((k: { provider: string; last4: string }) => [k.provider, k.last4]),
          [['gemini', 'stuv']],
        );
        assert.ok(!JSON.stringify(listed.body).includes(key));

        assert.equal((await call('DELETE', '/api/keys/providers/gemini', jwt)).status, 200);
        assert.equal((await call('DELETE', '/api/keys/providers/gemini', jwt)).status, 404);
      });

      it('fails clearly when the master key changed, and refuses to store keys without one', async () => {
        const user = await userWithKey('rotated@example.com');
        const wrongMaster = await startStack({ ...database.env, MASTER_ENCRYPTION_KEY: 'a-different-master-key-0123456789abcdef' }, { database, keepDatabase: true });
        try {
          const res = await fetch(`${wrongMaster.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${user.key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
          });
          const body = (await res.json()) as { error: { code: string; message: string } };
          assert.equal(res.status, 500);
          assert.equal(body.error.code, 'provider_key_unreadable');
          assert.match(body.error.message, /MASTER_ENCRYPTION_KEY differs/);
        } finally {
          await wrongMaster.close();
        }
        const noMaster = await startStack({ ...database.env, MASTER_ENCRYPTION_KEY: null }, { database, keepDatabase: true });
        try {
          const res = await fetch(`${noMaster.url}/api/keys/providers`, {
            method: 'POST',
            headers: { authorization: `Bearer ${user.jwt}`, 'content-type': 'application/json' },
            body: JSON.stringify({ provider: 'openrouter', api_key: OPENROUTER_KEY }),
          });
          assert.equal(res.status, 503);
          assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'provider_keys_disabled');
        } finally {
          await noMaster.close();
        }
      });

      it("routes a user's requests with the user's own key, and without one (operator keys not shared) says so", async () => {
        const { access_token: jwt } = await signup('nokeys@example.com');
        const none = await call('POST', '/v1/chat/completions', jwt, { model: 'auto', messages: [{ role: 'user', content: 'hi' }] });
        assert.equal(none.status, 503);
        assert.equal(none.body.error.code, 'no_provider_available');
        assert.match(none.body.error.message, /Store a key of your own .*POST \/api\/keys\/providers.*USERS_MAY_USE_OPERATOR_KEYS/);

        const user = await userWithKey('ownkey@example.com');
        const answer = await sdk(user.key).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] });
        assert.equal((answer as unknown as { metadata: { provider: string } }).metadata.provider, 'openrouter');
        const upstream = s.emulator.requests.filter((r) => r.provider === 'openrouter' && r.path.endsWith('/chat/completions')).at(-1);
        assert.equal(upstream?.headers.authorization, `Bearer ${OPENROUTER_KEY}`);
      });
    });

    describe('shared provider health', () => {
      it("is not moved by failures on a user's own key", async () => {
        const user = await userWithKey('flaky-own-key@example.com');
        s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 402, message: 'no credits on this key' }, sticky: true }]);
        try {
          for (let i = 0; i < 6; i++) await call('POST', '/v1/chat/completions', user.key, { messages: [{ role: 'user', content: `q${i}` }] });
        } finally {
          s.emulator.script.reset();
        }
        const health = await call('GET', '/api/health/providers', TEST_TOKEN);
        assert.ok(!health.body.targets.some((t: { provider: string; circuit: string }) => t.provider === 'openrouter' && t.circuit !== 'closed'), JSON.stringify(health.body.targets));
        assert.equal((await call('GET', '/api/health/providers', user.jwt)).status, 403, "the operator's view");
      });
    });

    describe('isolation between users', () => {
      it("keeps sessions, logs, keys and analytics apart; the operator sees everyone's", async () => {
        const a = await userWithKey('alice@example.com');
        const b = await userWithKey('bob@example.com');
        await sdk(a.key).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'My secret is 4321.' }], session_id: 'shared-name' } as never);

        const peek = await call('GET', '/v1/sessions/shared-name/messages', b.key);
        assert.equal(peek.status, 200);
        assert.deepEqual(peek.body.messages, [], "B cannot read A's session by guessing its id");
        await sdk(b.key).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'What is my secret?' }], session_id: 'shared-name' } as never);
        const upstream = s.emulator.requests.filter((r) => r.provider === 'openrouter').at(-1)!;
        assert.ok(!JSON.stringify(upstream.body).includes('4321'), "A's memory never reaches B's prompt");
        assert.equal((await call('DELETE', '/v1/sessions/shared-name', b.key)).body.messages_deleted, 2);
        const aSession = await call('GET', '/v1/sessions/shared-name/messages', a.jwt);
        assert.equal(aSession.body.messages.length, 2, "B's delete left A's session alone");

        assert.ok(!(await call('GET', '/api/keys/gateway', b.jwt)).body.keys.some((k: { id: string }) => k.id === a.keyId));
        assert.equal((await call('DELETE', `/api/keys/gateway/${a.keyId}`, b.jwt)).status, 404, "B cannot revoke A's key");

        await s.gateway.logs.flush();
        const aView = await call('GET', '/api/analytics/overview?timeframe=24h', a.key);
        assert.equal(aView.status, 200);
        assert.equal(aView.body.total_requests, 1);
        assert.equal(aView.body.user_id, a.userId);
        const rows = await dbOf(s).selectFrom('request_logs').select(['user_id', 'gateway_key_id']).where('user_id', '=', a.userId).execute();
        assert.deepEqual(rows, [{ user_id: a.userId, gateway_key_id: a.keyId }]);
        assert.equal((await call('GET', `/api/analytics/overview?user_id=${a.userId}`, b.jwt)).status, 403);

        const all = await call('GET', '/api/analytics/overview', TEST_TOKEN);
        assert.ok(all.body.total_requests >= 2);
        assert.equal(all.body.user_id, null);
        const onlyA = await call('GET', `/api/analytics/overview?user_id=${a.userId}`, TEST_TOKEN);
        assert.equal(onlyA.body.total_requests, 1);
      });
    });

    describe('settings and daily limits', () => {
      it('reads and updates user_config, refusing bad values by name', async () => {
        const { access_token: jwt } = await signup('config@example.com');
        const initial = await call('GET', '/api/config', jwt);
        assert.deepEqual(
          { ...initial.body, updated_at: undefined },
          {
            default_model: null,
            daily_token_limit: null,
            effective_daily_token_limit: null,
            memory_messages: null,
            effective_memory_messages: 20,
            default_memory_messages: 20,
            route_policy: 'cascade',
            tokens_used_today: 0,
            max_budget_usd: null,
            budget_period: null,
            spend_usd: null,
            budgets: [],
            updated_at: undefined,
          },
        );
        const put = await call('PUT', '/api/config', jwt, { default_model: 'gemini-2.5-flash', memory_messages: 4 });
        assert.equal(put.status, 200);
        assert.equal(put.body.default_model, 'gemini-2.5-flash');
        assert.equal(put.body.effective_memory_messages, 4);
        assert.equal((await call('PUT', '/api/config', jwt, { daily_token_limit: 500 })).body.default_model, 'gemini-2.5-flash', 'a partial update keeps the rest');
        for (const [body, param] of [
          [{ route_policy: 'fastest' }, 'route_policy'],
          [{ daily_token_limit: -1 }, 'daily_token_limit'],
          [{ memory_messages: 'ten' }, 'memory_messages'],
          [{ default_model: 'no-such-model' }, 'default_model'],
          [{ colour: 'blue' }, null],
        ] as const) {
          const res = await call('PUT', '/api/config', jwt, body);
          assert.equal(res.status, 400, JSON.stringify(body));
          assert.equal(res.body.error.param, param, JSON.stringify(res.body));
        }
      });

      it('refuses requests once the daily token limit is spent, saying which limit and when it resets', async () => {
        const user = await userWithKey('budget@example.com');
        assert.equal((await call('PUT', '/api/config', user.jwt, { daily_token_limit: 5 })).status, 200);
        await sdk(user.key).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'spend some tokens please' }] });
        const refused = await call('POST', '/v1/chat/completions', user.key, { model: 'auto', messages: [{ role: 'user', content: 'more' }] });
        assert.equal(refused.status, 429);
        assert.equal(refused.body.error.code, 'daily_token_limit_exceeded');
        assert.match(refused.body.error.message, /Daily token limit reached: \d+ of 5 tokens.*midnight UTC/);
        const retryAfter = Number(refused.headers.get('retry-after'));
        assert.ok(retryAfter > 0 && retryAfter <= 86_400);
        const used = await call('GET', '/api/config', user.jwt);
        assert.ok(used.body.tokens_used_today >= 5);
      });
    });

    describe('analytics', () => {
      it('breaks cost down per day, provider and model, and shows the model distribution', async () => {
        const user = await userWithKey('stats@example.com');
        for (let i = 0; i < 3; i++) await sdk(user.key).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: `q${i}` }] });
        await s.gateway.logs.flush();
        const breakdown = await call('GET', '/api/analytics/cost-breakdown?days=7', user.jwt);
        assert.equal(breakdown.status, 200);
        assert.equal(breakdown.body.daily.length, 7);
        assert.equal(breakdown.body.daily.at(-1).date, new Date().toISOString().slice(0, 10));
        assert.equal(breakdown.body.daily.at(-1).requests, 3);
        assert.deepEqual(
          breakdown.body.by_provider.map((p: { provider: string; requests: number }) => [p.provider, p.requests]),
          [['openrouter', 3]],
        );
        assert.equal(breakdown.body.by_model[0].requests, 3);
        const dist = await call('GET', '/api/analytics/model-distribution', user.jwt);
        assert.equal(dist.body.total_requests, 3);
        assert.equal(dist.body.models[0].percentage, 100);
        const overview = await call('GET', '/api/analytics/overview?timeframe=7d', user.jwt);
        assert.equal(overview.body.total_requests, 3);
        assert.equal(overview.body.success_rate, 1);
        assert.ok(overview.body.total_tokens > 0);
        assert.equal((await call('GET', '/api/analytics/overview?timeframe=1y', user.jwt)).body.error.param, 'timeframe');
        assert.equal((await call('GET', '/api/analytics/cost-breakdown?days=0', user.jwt)).body.error.param, 'days');
      });
    });
  });
}
