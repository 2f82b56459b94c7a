/**
 * Attack: a leaked gateway key of the operator's (the one given to n8n) used to read every
 * tenant's analytics and provider health with upstream error texts. Keys now carry scopes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caller, chatBody, gatewayKey, signup } from '../../helpers/api.js';
import { startStack, TEST_TOKEN, type Stack } from '../../helpers/stack.js';

describe('attack: a leaked operator key reading other tenants', () => {
  let s: Stack;
  const call = caller(() => s);
  let victim: { token: string; userId: string };
  before(async () => {
    s = await startStack({ ALLOW_SIGNUP: 'true', USERS_MAY_USE_OPERATOR_KEYS: 'true' });
    victim = await signup(call, 'tenant@example.com');
    assert.equal((await call('POST', '/v1/chat/completions', victim.token, chatBody('private question'))).status, 200);
    await s.gateway.logs.flush();
  });
  after(() => s.close());

  it("gives the operator's keys chat and read by default: no other tenant, no provider health", async () => {
    const n8n = await gatewayKey(call, TEST_TOKEN, { name: 'n8n' });
    assert.equal((await call('POST', '/v1/chat/completions', n8n.key, chatBody('hi'))).status, 200, "it still chats, with the operator's providers");
    const theft = await call('GET', `/api/analytics/overview?user_id=${victim.userId}`, n8n.key);
    assert.equal(theft.status, 403, JSON.stringify(theft.body));
    const own = await call('GET', '/api/analytics/overview', n8n.key);
    assert.equal(own.status, 200);
    assert.equal(own.body.user_id, 'operator', "only the operator's own requests");
    for (const path of ['/api/health/providers', '/api/cache']) {
      const res = await call('GET', path, n8n.key);
      assert.equal(res.status, 403, path);
      assert.equal(res.body.error.code, 'missing_scope');
    }
  });

  it('grants admin only when the operator asks for it, and lists every key with its scopes', async () => {
    const admin = await gatewayKey(call, TEST_TOKEN, { name: 'dashboard', scopes: ['read', 'admin'] });
    assert.equal((await call('GET', `/api/analytics/overview?user_id=${victim.userId}`, admin.key)).body.total_requests, 1);
    assert.equal((await call('GET', '/api/health/providers', admin.key)).status, 200);
    const chat = await call('POST', '/v1/chat/completions', admin.key, chatBody('hi'));
    assert.equal(chat.status, 403, 'no chat scope');
    assert.equal(chat.body.error.code, 'missing_scope');
    const listed = await call('GET', '/api/keys/gateway', TEST_TOKEN);
    const scopes = Object.fromEntries(listed.body.keys.map((k: { name: string; scopes: string[] }) => [k.name, k.scopes]));
    assert.deepEqual(scopes, { n8n: ['chat', 'read'], dashboard: ['read', 'admin'] });
  });

  it('refuses the admin scope to users, and narrows keys to what they were given', async () => {
    const refused = await call('POST', '/api/keys/gateway', victim.token, { scopes: ['chat', 'admin'] });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'scope_not_allowed');
    assert.equal((await call('POST', '/api/keys/gateway', victim.token, { scopes: ['root'] })).body.error.param, 'scopes.0');
    const chatOnly = await gatewayKey(call, victim.token, { scopes: ['chat'] });
    assert.equal((await call('GET', '/api/config', chatOnly.key)).status, 403);
    assert.equal((await call('POST', '/v1/chat/completions', chatOnly.key, chatBody('hi'))).status, 200);
    const readOnly = await gatewayKey(call, victim.token, { scopes: ['read'] });
    assert.equal((await call('GET', '/api/analytics/overview', readOnly.key)).status, 200);
    assert.equal((await call('POST', '/v1/chat/completions', readOnly.key, chatBody('hi'))).status, 403);
    assert.equal((await call('GET', '/v1/models', readOnly.key)).status, 403);
    // No scope lets a key mint keys, make accounts or change them: admin is the operator's views.
    const adminKey = await gatewayKey(call, TEST_TOKEN, { scopes: ['chat', 'read', 'admin'] });
    assert.equal((await call('POST', '/api/keys/gateway', adminKey.key, { name: 'minted' })).body.error.code, 'gateway_key_not_allowed');
    assert.equal((await call('GET', '/api/admin/users', adminKey.key)).status, 200, 'it may look');
    assert.equal((await call('POST', '/api/admin/users', adminKey.key, { email: 'minted@example.com' })).body.error.code, 'gateway_key_not_allowed');
    assert.equal((await call('PATCH', `/api/admin/users/${victim.userId}`, adminKey.key, { disabled: true })).body.error.code, 'gateway_key_not_allowed');
    const userKey = await gatewayKey(call, victim.token);
    assert.match((await call('GET', '/api/health/providers', userKey.key)).body.error.message, /Only the operator/);
  });
});
