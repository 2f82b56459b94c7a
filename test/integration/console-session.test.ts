/**
 * The console's session: an httpOnly, SameSite=Strict cookie that authorises nothing without its
 * CSRF header; sign-in by password or operator token, sign-up when open, sign-out that revokes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caller, chatBody, PASSWORD, signup } from '../helpers/api.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

interface Browser {
  cookie: string | undefined;
  csrf: string | undefined;
}

describe('the console session', () => {
  let s: Stack;
  const call = caller(() => s);
  before(async () => {
    s = await startStack({ USERS_MAY_USE_OPERATOR_KEYS: 'true' });
    await signup(call, 'ana@example.com');
  });
  after(() => s.close());

  /** A request as the console makes it: the cookie it holds, its CSRF token when it has one. */
  async function fetchAs(b: Browser, method: string, path: string, body?: unknown, opts: { csrf?: boolean } = {}) {
    const headers: Record<string, string> = {};
    if (b.cookie) headers.cookie = b.cookie;
    if (b.csrf && opts.csrf !== false) headers['x-cerebro-csrf'] = b.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${s.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const [pair] = c.split(';');
      b.cookie = /Expires=Thu, 01 Jan 1970|Max-Age=0/i.test(c) ? undefined : pair;
    }
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (json?.csrf_token) b.csrf = json.csrf_token;
    return { status: res.status, body: json, setCookie };
  }

  it('starts signed out, saying whether sign-up is open, in an answer nobody caches', async () => {
    const res = await fetch(`${s.url}/api/console/session`);
    assert.deepEqual(await res.json(), { signed_in: false, allow_signup: true });
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  it('signs in with a password into an httpOnly, SameSite=Strict cookie; the token is never in the body', async () => {
    const b: Browser = { cookie: undefined, csrf: undefined };
    assert.equal((await fetchAs(b, 'POST', '/api/console/session', { email: 'ana@example.com', password: 'wrong-password-1' })).status, 401);
    const res = await fetchAs(b, 'POST', '/api/console/session', { email: 'ana@example.com', password: PASSWORD });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.email, 'ana@example.com');
    assert.equal(res.body.is_operator, false);
    assert.equal(typeof res.body.csrf_token, 'string');
    assert.equal(res.body.token, undefined);
    assert.equal(res.body.access_token, undefined);
    const cookie = res.setCookie[0]!;
    assert.match(cookie, /^cerebro_console=/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/, 'plain http: a Secure cookie would not be kept');
    // The page reloads: it asks for the session again and gets its CSRF token.
    const again = await fetchAs({ cookie: b.cookie, csrf: undefined }, 'GET', '/api/console/session');
    assert.equal(again.body.signed_in, true);
    assert.equal(again.body.csrf_token, res.body.csrf_token);
  });

  it('the cookie alone authorises nothing: every request needs the CSRF header', async () => {
    const b: Browser = { cookie: undefined, csrf: undefined };
    await fetchAs(b, 'POST', '/api/console/session', { email: 'ana@example.com', password: PASSWORD });
    const noCsrf = await fetchAs(b, 'GET', '/api/auth/me', undefined, { csrf: false });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.body.error.code, 'csrf_failed');
    assert.equal((await fetchAs(b, 'POST', '/api/keys/gateway', { name: 'forged' }, { csrf: false })).status, 403);
    assert.equal((await fetchAs({ cookie: b.cookie, csrf: 'x'.repeat(43) }, 'GET', '/api/auth/me')).status, 403);
    assert.equal((await fetchAs(b, 'GET', '/api/auth/me')).body.email, 'ana@example.com');
    const chat = await fetchAs(b, 'POST', '/v1/chat/completions', chatBody('hello from the playground'));
    assert.equal(chat.status, 200);
  });

  it('signs the operator in with CEREBRO_API_TOKEN, to the operator views', async () => {
    const b: Browser = { cookie: undefined, csrf: undefined };
    assert.equal((await fetchAs(b, 'POST', '/api/console/session', { operator_token: 'not-it' })).status, 401);
    const res = await fetchAs(b, 'POST', '/api/console/session', { operator_token: TEST_TOKEN });
    assert.equal(res.status, 200);
    assert.equal(res.body.is_operator, true);
    assert.equal((await fetchAs(b, 'GET', '/api/health/providers')).status, 200);
    assert.equal((await fetchAs(b, 'GET', '/api/admin/users')).status, 200);
    assert.equal((await fetchAs(b, 'GET', '/api/health/providers', undefined, { csrf: false })).status, 403);
    // Signing out ends this session for good, even replayed.
    const stolen = { ...b };
    assert.equal((await fetchAs(b, 'DELETE', '/api/console/session')).status, 204);
    assert.equal(b.cookie, undefined, 'the cookie is cleared');
    assert.equal((await fetchAs(stolen, 'GET', '/api/health/providers')).status, 401);
  });

  it('signs up (when open) and signs out, revoking the session', async () => {
    const b: Browser = { cookie: undefined, csrf: undefined };
    const res = await fetchAs(b, 'POST', '/api/console/signup', { email: 'new@example.com', password: 'Another-Good-9' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.user.plan, 'free');
    const stolen = { ...b };
    assert.equal((await fetchAs(b, 'DELETE', '/api/console/session', undefined, { csrf: false })).status, 403, 'another site cannot sign you out');
    assert.equal((await fetchAs(stolen, 'GET', '/api/auth/me')).status, 200);
    const replayed = { ...stolen };
    assert.equal((await fetchAs(stolen, 'DELETE', '/api/console/session')).status, 204);
    assert.equal(stolen.cookie, undefined, 'the cookie is cleared');
    const after = await fetchAs(replayed, 'GET', '/api/auth/me');
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'session_expired');
    const view = await fetchAs({ cookie: replayed.cookie, csrf: undefined }, 'GET', '/api/console/session');
    assert.equal(view.body.signed_in, false);
  });

  it('changes the password in the console: the session goes on in a new cookie, every other token ends, no token reaches the page', async () => {
    await signup(call, 'pat@example.com');
    const b: Browser = { cookie: undefined, csrf: undefined };
    await fetchAs(b, 'POST', '/api/console/session', { email: 'pat@example.com', password: PASSWORD });
    const other: Browser = { cookie: undefined, csrf: undefined };
    await fetchAs(other, 'POST', '/api/console/session', { email: 'pat@example.com', password: PASSWORD });
    const through = await fetchAs(b, 'POST', '/api/auth/password', { current_password: PASSWORD, new_password: 'Brand-New-Pass-7' });
    assert.equal(through.status, 400, 'the bearer route would hand the page a token');
    assert.equal(through.body.error.code, 'not_an_account_token');
    assert.equal((await fetchAs(b, 'POST', '/api/console/password', { current_password: PASSWORD, new_password: 'Brand-New-Pass-7' }, { csrf: false })).status, 403);
    const old = { ...b };
    const res = await fetchAs(b, 'POST', '/api/console/password', { current_password: PASSWORD, new_password: 'Brand-New-Pass-7' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.signed_in, true);
    assert.ok(!/eyJ/.test(JSON.stringify(res.body)), 'no token in the body');
    assert.notEqual(b.cookie, old.cookie);
    assert.equal((await fetchAs(b, 'GET', '/api/auth/me')).status, 200, 'this session goes on');
    assert.equal((await fetchAs(old, 'GET', '/api/auth/me')).status, 401);
    assert.equal((await fetchAs(other, 'GET', '/api/auth/me')).status, 401, 'the other session ended');
    const operator: Browser = { cookie: undefined, csrf: undefined };
    await fetchAs(operator, 'POST', '/api/console/session', { operator_token: TEST_TOKEN });
    assert.equal((await fetchAs(operator, 'POST', '/api/console/password', { current_password: 'x', new_password: 'Brand-New-Pass-8' })).body.error.code, 'not_an_account');
  });

  it('a new sign-in ends the session the browser held before', async () => {
    const b: Browser = { cookie: undefined, csrf: undefined };
    await fetchAs(b, 'POST', '/api/console/session', { email: 'ana@example.com', password: PASSWORD });
    const before = { ...b };
    await fetchAs(b, 'POST', '/api/console/session', { operator_token: TEST_TOKEN });
    assert.equal((await fetchAs(before, 'GET', '/api/auth/me')).status, 401);
    assert.equal((await fetchAs(b, 'GET', '/api/health/providers')).status, 200);
  });

  it("the operator's console session may not mint admin keys (that takes the operator token itself)", async () => {
    const b: Browser = { cookie: undefined, csrf: undefined };
    await fetchAs(b, 'POST', '/api/console/session', { operator_token: TEST_TOKEN });
    assert.equal((await fetchAs(b, 'POST', '/api/keys/gateway', { name: 'admin from console', scopes: ['admin'] })).status, 403);
    assert.equal((await fetchAs(b, 'POST', '/api/keys/gateway', { name: 'plain from console' })).status, 201);
  });

  it('the operator can sign in again after many sign-outs (the deny-list overflowing bumps its token version)', async () => {
    for (let i = 0; i < 34; i++) {
      const b: Browser = { cookie: undefined, csrf: undefined };
      assert.equal((await fetchAs(b, 'POST', '/api/console/session', { operator_token: TEST_TOKEN })).status, 200, `sign-in ${i}`);
      assert.equal((await fetchAs(b, 'GET', '/api/health/providers')).status, 200, `session ${i}`);
      assert.equal((await fetchAs(b, 'DELETE', '/api/console/session')).status, 204);
    }
  });

  it('a bearer credential wins over the cookie, and a forged cookie is refused', async () => {
    const b: Browser = { cookie: 'cerebro_console=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcGVyYXRvciJ9.c2ln', csrf: 'x' };
    assert.equal((await fetchAs(b, 'GET', '/api/auth/me')).status, 401);
    assert.equal((await fetchAs({ cookie: 'cerebro_console=garbage', csrf: undefined }, 'GET', '/api/console/session')).body.signed_in, false);
    const res = await fetch(`${s.url}/api/auth/me`, { headers: { cookie: b.cookie!, authorization: `Bearer ${TEST_TOKEN}` } });
    assert.equal(res.status, 200);
  });

  it('refuses malformed sign-in bodies with a 400', async () => {
    for (const body of [{}, { email: 'a@b.co' }, { operator_token: '' }, { email: 'a@b.co', password: 'x', operator_token: 'y' }]) {
      const res = await fetchAs({ cookie: undefined, csrf: undefined }, 'POST', '/api/console/session', body);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
  });
});

describe('the console session with sign-up closed', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ ALLOW_SIGNUP: 'false' });
  });
  after(() => s.close());

  it('says so, and refuses a console sign-up', async () => {
    const view = (await (await fetch(`${s.url}/api/console/session`)).json()) as { allow_signup: boolean };
    assert.equal(view.allow_signup, false);
    const res = await fetch(`${s.url}/api/console/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'x@example.com', password: 'Another-Good-9' }),
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('set-cookie'), null);
  });
});
