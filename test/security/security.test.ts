import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { looksLikeJwt, signAccessToken, verifyAccessToken, ACCESS_TOKEN_TTL_SECONDS } from '../../src/security/access-token.js';
import { gatewayKeyDisplayPrefix, gatewayKeyHash, generateGatewayKey, isGatewayKeyShaped } from '../../src/security/gateway-key.js';
import { hashPassword, passwordWeakness, verifyPassword } from '../../src/security/passwords.js';
import { open, seal, SecretBoxError } from '../../src/security/secret-box.js';

const MASTER = 'a-master-key-of-at-least-32-characters!!';
const SECRET = 'jwt-secret-of-at-least-32-characters-long';

describe('passwords', () => {
  it('refuses weak passwords with a reason, accepts strong ones', () => {
    const table: Array<[string, boolean]> = [
      ['short1!', false],
      ['1234567890', false],
      ['aaaaaaaaaaaa', false],
      ['alllowercaseletters', true], // 16+ characters of one kind pass
      ['onlyletters', false],
      ['ana.garcia-2024', false], // contains the e-mail name
      ['Correct-Horse-9', true],
      ['x'.repeat(300), false],
    ];
    for (const [password, ok] of table) assert.equal(passwordWeakness(password, 'ana.garcia@example.com') === undefined, ok, password);
  });

  it('hashes with argon2id and a salt of its own, and verifies', async () => {
    const a = await hashPassword('Correct-Horse-9');
    const b = await hashPassword('Correct-Horse-9');
    assert.match(a, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword(a, 'Correct-Horse-9'), true);
    assert.equal(await verifyPassword(a, 'correct-horse-9'), false);
    assert.equal(await verifyPassword('not a hash', 'x'), false);
  });
});

describe('access tokens (JWT HS256)', () => {
  it('round-trips the user id and expires after 24 hours', async () => {
    const now = 1_800_000_000;
    const token = await signAccessToken('user-1', SECRET, now);
    assert.ok(looksLikeJwt(token));
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    assert.equal(header.alg, 'HS256');
    const claims = await verifyAccessToken(token, SECRET, new Date((now + 60) * 1000));
    assert.deepEqual({ ...claims, jti: undefined }, { userId: 'user-1', expiresAt: now + ACCESS_TOKEN_TTL_SECONDS, version: 0, jti: undefined });
    assert.match(claims?.jti ?? '', /^[0-9a-f-]{36}$/, 'each token has an id of its own, for signing it out');
    const another = await verifyAccessToken(await signAccessToken('user-1', SECRET, now, 3), SECRET, new Date((now + 60) * 1000));
    assert.equal(another?.version, 3);
    assert.notEqual(another?.jti, claims?.jti);
    assert.equal(await verifyAccessToken(token, SECRET, new Date((now + ACCESS_TOKEN_TTL_SECONDS + 1) * 1000)), undefined);
  });

  it('refuses another secret, a tampered payload and alg "none"', async () => {
    const token = await signAccessToken('user-1', SECRET);
    assert.equal(await verifyAccessToken(token, 'another-secret-of-at-least-32-chars!!'), undefined);
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', iss: 'cerebro', exp: 9_999_999_999 })).toString('base64url')}.${s}`;
    assert.equal(await verifyAccessToken(forged, SECRET), undefined);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"admin","iss":"cerebro","exp":9999999999}').toString('base64url')}.`;
    assert.equal(await verifyAccessToken(none, SECRET), undefined);
  });
});

describe('gateway keys', () => {
  it('are gw_ plus 32 alphanumerics, distinct, hashed with SHA-256', () => {
    const keys = new Set(Array.from({ length: 200 }, generateGatewayKey));
    assert.equal(keys.size, 200);
    for (const key of keys) {
      assert.match(key, /^gw_[A-Za-z0-9]{32}$/);
      assert.ok(isGatewayKeyShaped(key));
    }
    const key = [...keys][0]!;
    assert.match(gatewayKeyHash(key), /^[0-9a-f]{64}$/);
    assert.equal(gatewayKeyDisplayPrefix(key), key.slice(0, 7));
    assert.equal(isGatewayKeyShaped('gw_short'), false);
  });
});

describe('secret box (AES-256-GCM, HKDF per record)', () => {
  it('round-trips, with a fresh salt and IV per record, and never holds the plaintext', () => {
    const plaintext = 'sk-or-v1-0123456789abcdef0123456789abcdef';
    const a = seal(MASTER, plaintext, 'u1:openrouter');
    const b = seal(MASTER, plaintext, 'u1:openrouter');
    assert.notEqual(a, b);
    assert.equal(a.split('.').length, 5);
    assert.notEqual(a.split('.')[1], b.split('.')[1]); // salt
    assert.notEqual(a.split('.')[2], b.split('.')[2]); // iv
    assert.ok(!a.includes(plaintext) && !Buffer.from(a.split('.')[4]!, 'base64url').toString('latin1').includes('sk-or'));
    assert.equal(open(MASTER, a, 'u1:openrouter'), plaintext);
  });

  it('fails clearly with a wrong master key, another owner, or a tampered record', () => {
    const sealed = seal(MASTER, 'secret', 'u1:openai');
    assert.throws(
      () => open('another-master-key-of-32-characters!!!', sealed, 'u1:openai'),
      (e: unknown) => e instanceof SecretBoxError && /MASTER_ENCRYPTION_KEY differs/.test(e.message),
    );
    assert.throws(() => open(MASTER, sealed, 'u2:openai'), SecretBoxError);
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[4] = ct.toString('base64url');
    assert.throws(() => open(MASTER, parts.join('.'), 'u1:openai'), SecretBoxError);
    assert.throws(() => open(MASTER, 'v0.x', 'u1:openai'), /not in a format/);
  });
});
