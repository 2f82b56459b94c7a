import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallerContexts } from '../../src/gateway/caller-context.js';
import { OPERATOR, type Caller } from '../../src/gateway/caller.js';
import { DailyUsageCounter } from '../../src/accounts/daily-usage.js';
import type { DailyUsageRepository } from '../../src/store/daily-usage-repository.js';
import { GatewayError } from '../../src/core/errors.js';
import { providerKeyAad, seal } from '../../src/security/secret-box.js';
import type { ProviderKeyRepository, ProviderKeyRow } from '../../src/store/provider-key-repository.js';
import type { UserConfigRepository, UserConfigRow } from '../../src/store/user-config-repository.js';
import type { UserRepository } from '../../src/store/user-repository.js';

const MASTER = 'caller-context-master-key-0123456789abcd';
const user: Caller = { userId: 'u1', isAdmin: false, via: 'jwt' };
const baseUrls = { openrouter: 'http://or', openai: 'http://oa', anthropic: 'http://an', gemini: 'http://ge' };

function contexts(opts: { limit?: number | null | undefined; cap?: number; perUser?: number; used?: number; keys?: ProviderKeyRow[]; master?: string; shared?: boolean }) {
  const config: UserConfigRow | undefined =
    opts.limit === undefined
      ? undefined
      : { user_id: 'u1', default_model: null, daily_token_limit: opts.limit, memory_messages: null, route_policy: 'cascade', updated_at: '', max_budget_usd: null, budget_period: null };
  return new CallerContexts({
    configs: { get: async () => config } as unknown as UserConfigRepository,
    users: { findById: async () => ({ daily_token_limit: opts.perUser ?? null }) } as unknown as UserRepository,
    providerKeys: { listByUser: async () => opts.keys ?? [] } as unknown as ProviderKeyRepository,
    usage: new DailyUsageCounter({ get: async () => ({ tokens: opts.used ?? 0, requests: 0 }), add: async () => undefined } as unknown as DailyUsageRepository, {
      now: () => Date.parse('2026-11-22T12:00:00Z'),
      refreshMs: 5000,
      onError: () => undefined,
    }),
    operatorCredentials: { gemini: { apiKey: 'operator-gemini', baseUrl: 'http://ge' } },
    usersMayUseOperatorKeys: opts.shared ?? false,
    baseUrls,
    masterKey: opts.master,
    defaultMemoryMessages: 20,
    userDailyTokenLimit: opts.cap,
    now: () => Date.parse('2026-11-22T12:00:00Z'),
    cacheTtlMs: 5000,
  });
}

const keyRow = (provider: string, apiKey: string, master: string): ProviderKeyRow => ({
  user_id: 'u1',
  provider,
  ciphertext: seal(master, apiKey, providerKeyAad('u1', provider)),
  last4: apiKey.slice(-4),
  status: 'valid',
  created_at: '',
  last_verified_at: '',
});

describe('CallerContexts', () => {
  it("caps a user's daily limit with the operator's, never the operator's own", async () => {
    const table: Array<[number | null | undefined, number | undefined, number | null]> = [
      [undefined, undefined, null],
      [500, undefined, 500],
      [undefined, 1000, 1000],
      [5000, 1000, 1000],
      [200, 1000, 200],
    ];
    for (const [own, cap, effective] of table) {
      assert.equal((await contexts({ limit: own, ...(cap !== undefined ? { cap } : {}) }).resolve(user)).dailyTokenLimit, effective, `${own} ${cap}`);
    }
    assert.equal((await contexts({ cap: 10 }).resolve(OPERATOR)).dailyTokenLimit, null);
    // The operator's limit for this one user replaces the ceiling for everyone, higher or lower.
    assert.equal((await contexts({ cap: 1000, perUser: 5000 }).resolve(user)).dailyTokenLimit, 5000);
    assert.equal((await contexts({ limit: 200, cap: 1000, perUser: 50 }).resolve(user)).dailyTokenLimit, 50);
  });

  it('refuses with 429 once the limit is spent, saying when it resets', async () => {
    const c = contexts({ limit: 100, used: 100 });
    const ctx = await c.resolve(user);
    await assert.rejects(
      c.reserveTokens(user, ctx, 10),
      (e: unknown) => e instanceof GatewayError && e.status === 429 && e.headers['retry-after'] === String(12 * 3600) && /2026-11-23T00:00:00.000Z/.test(e.message),
    );
    const under = contexts({ limit: 100, used: 99 });
    const held = await under.reserveTokens(user, await under.resolve(user), 10);
    assert.equal(held.held, 1, 'capped by what remains');
  });

  it('refuses while the rest of the budget is held by requests in flight, with a short Retry-After', async () => {
    const c = contexts({ limit: 100, used: 40 });
    const ctx = await c.resolve(user);
    const first = await c.reserveTokens(user, ctx, 1000);
    assert.equal(first.held, 60);
    await assert.rejects(
      c.reserveTokens(user, ctx, 1),
      (e: unknown) => e instanceof GatewayError && e.status === 429 && e.headers['retry-after'] === '1' && /60 held by your requests in flight/.test(e.message),
    );
    first.settle(5);
    assert.equal((await c.reserveTokens(user, ctx, 1)).held, 1, 'settling frees what was not used');
  });

  it("uses the user's own keys over the operator's, and marks unreadable ones instead of failing the whole context", async () => {
    const keys = [keyRow('openrouter', 'sk-or-user-key-0001', MASTER), keyRow('anthropic', 'sk-ant-user-key-002', 'another-master-key-0123456789abcdef!!')];
    const ctx = await contexts({ keys, master: MASTER, shared: true }).resolve(user);
    assert.equal(ctx.credentials.openrouter?.apiKey, 'sk-or-user-key-0001');
    assert.equal(ctx.credentials.gemini?.apiKey, 'operator-gemini');
    assert.equal(ctx.credentials.anthropic, undefined);
    assert.match(ctx.unreadable.anthropic ?? '', /MASTER_ENCRYPTION_KEY differs/);
    const noMaster = await contexts({ keys }).resolve(user);
    assert.deepEqual(Object.keys(noMaster.unreadable).sort(), ['anthropic', 'openrouter']);
    assert.deepEqual(noMaster.credentials, {}, 'operator keys are not shared unless the operator says so');
  });
});
