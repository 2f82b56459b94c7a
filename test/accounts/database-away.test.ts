/** While the database is away, what was seen lately stands: keys, account states and caller contexts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccountStates } from '../../src/accounts/account-states.js';
import { GatewayKeyService } from '../../src/accounts/gateway-keys.js';
import { CallerContexts } from '../../src/gateway/caller-context.js';
import { DailyUsageCounter } from '../../src/accounts/daily-usage.js';
import { GatewayError } from '../../src/core/errors.js';
import { gatewayKeyHash } from '../../src/security/gateway-key.js';
import type { DailyUsageRepository } from '../../src/store/daily-usage-repository.js';
import type { GatewayKeyRepository, GatewayKeyRow } from '../../src/store/gateway-key-repository.js';
import type { ProviderKeyRepository } from '../../src/store/provider-key-repository.js';
import type { RevokedTokenRepository } from '../../src/store/revoked-token-repository.js';
import type { UserConfigRepository } from '../../src/store/user-config-repository.js';
import type { UserRepository } from '../../src/store/user-repository.js';

const KEY = 'gw_' + 'a'.repeat(32);
const down = () => Promise.reject(new Error('connect ECONNREFUSED'));

describe('the database away', () => {
  it('keeps a gateway key seen lately working, and refuses one never seen', async () => {
    let now = 1_000_000; // not 0: lru-cache reads a start time of 0 as none
    let failing = false;
    const row = { id: 'k', user_id: 'u', key_hash: gatewayKeyHash(KEY), revoked_at: null } as GatewayKeyRow;
    const repo = { findByHash: async (h: string) => (failing ? down() : h === row.key_hash ? row : undefined) } as unknown as GatewayKeyRepository;
    const keys = new GatewayKeyService(repo, { now: () => now, cacheTtlMs: 10_000, defaultRateLimit: 10, maxRateLimit: 10 });
    assert.equal((await keys.authenticate(KEY))?.id, 'k');
    now += 60_000;
    failing = true;
    assert.equal((await keys.authenticate(KEY))?.id, 'k');
    await assert.rejects(keys.authenticate('gw_' + 'b'.repeat(32)), /ECONNREFUSED/);
    now += 5 * 60_000;
    await assert.rejects(keys.authenticate(KEY), /ECONNREFUSED/, 'not for longer than a few minutes');
  });

  it("keeps an account's last state", async () => {
    let now = 1_000_000; // not 0: lru-cache reads a start time of 0 as none
    let failing = false;
    const users = { findById: async () => (failing ? down() : { disabled_at: null, token_version: 2 }) } as unknown as UserRepository;
    const revoked = { active: async () => (failing ? down() : ['j1']) } as unknown as RevokedTokenRepository;
    const states = new AccountStates(users, revoked, { ttlMs: 5_000, maxEntries: 10, now: () => now });
    assert.equal((await states.get('u'))?.tokenVersion, 2);
    now += 60_000;
    failing = true;
    const stale = await states.get('u');
    assert.deepEqual([stale?.tokenVersion, stale?.revoked.has('j1')], [2, true]);
    await assert.rejects(states.get('never-seen'), /ECONNREFUSED/);
    now += 5 * 60_000;
    await assert.rejects(states.get('u'), /ECONNREFUSED/, 'not for longer than a few minutes');
  });

  it("keeps a user's last caller context, and says 503 for one never seen", async () => {
    let now = 1_000_000; // not 0: lru-cache reads a start time of 0 as none
    let failing = false;
    const contexts = new CallerContexts({
      configs: { get: async () => (failing ? down() : { memory_messages: 7, daily_token_limit: null, default_model: null, route_policy: 'cascade' }) } as unknown as UserConfigRepository,
      users: { findById: async () => (failing ? down() : { daily_token_limit: null }) } as unknown as UserRepository,
      providerKeys: { listByUser: async () => (failing ? down() : []) } as unknown as ProviderKeyRepository,
      usage: new DailyUsageCounter({ get: async () => ({ tokens: 0, requests: 0 }), add: async () => undefined } as unknown as DailyUsageRepository, {
        now: () => now,
        refreshMs: 5_000,
        onError: () => undefined,
      }),
      operatorCredentials: {},
      usersMayUseOperatorKeys: false,
      baseUrls: { openrouter: '', openai: '', anthropic: '', gemini: '' },
      masterKey: undefined,
      defaultMemoryMessages: 20,
      userDailyTokenLimit: undefined,
      now: () => now,
      cacheTtlMs: 5_000,
    });
    const user = { userId: 'u', isAdmin: false, via: 'jwt' } as const;
    assert.equal((await contexts.resolve(user)).memoryMessages, 7);
    now += 60_000;
    failing = true;
    assert.equal((await contexts.resolve(user)).memoryMessages, 7);
    await assert.rejects(contexts.resolve({ ...user, userId: 'other' }), (e: unknown) => e instanceof GatewayError && e.status === 503 && e.code === 'database_unavailable');
    now += 5 * 60_000;
    await assert.rejects(contexts.resolve(user), (e: unknown) => e instanceof GatewayError && e.status === 503, 'not for longer than a few minutes');
  });
});
