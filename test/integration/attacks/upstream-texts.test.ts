/**
 * Leak: upstream error texts from calls made with the operator's keys (a 402 or 429 body can name a
 * balance or an organisation) reached every caller in messages and `metadata.attempts`. Users now
 * see the provider, the status and a generic reason; the operator sees the whole text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { caller, chatBody, signup } from '../../helpers/api.js';
import { startStack, TEST_TOKEN, type Stack } from '../../helpers/stack.js';

const SECRET = /org-7f3a|\$12\.34|proj-991/;

describe("leak: upstream error texts on the operator's keys", () => {
  let s: Stack;
  const call = caller(() => s);
  let user: string;
  const failEverywhere = () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 402, message: 'Insufficient credits: balance $12.34 left on org-7f3a' }, times: 2 }]);
    s.emulator.script.add('gemini', [{ behavior: { type: 'error', status: 500, message: 'internal failure in proj-991' } }]);
  };
  before(async () => {
    s = await startStack({ USERS_MAY_USE_OPERATOR_KEYS: 'true' });
    user = (await signup(call, 'curious@example.com')).token;
  });
  after(() => s.close());

  it('shows a user the provider, the status and a generic reason, and the operator everything', async () => {
    failEverywhere();
    const seen = await call('POST', '/v1/chat/completions', user, chatBody('hi'));
    assert.equal(seen.status, 502);
    assert.doesNotMatch(JSON.stringify(seen.body), SECRET);
    assert.match(seen.body.error.message, /openrouter\/[^:]+: 402: out of credits/);
    assert.deepEqual(
      seen.body.metadata.attempts.map((a: { provider: string; http_status: number; reason: string }) => [a.provider, a.http_status, a.reason]),
      [
        ['openrouter', 402, 'out of credits'],
        ['openrouter', 402, 'out of credits'],
        ['gemini', 500, 'upstream error'],
      ],
    );
    failEverywhere();
    const operator = await call('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('hi'));
    assert.match(JSON.stringify(operator.body), /balance \$12\.34 left on org-7f3a/);
    // The log keeps the whole text for the operator.
    await s.gateway.logs.flush();
    const db = (s.gateway.sessions as unknown as { db: Kysely<any> }).db;
    const rows = await db.selectFrom('request_logs').select('attempts').where('http_status', '=', 502).execute();
    assert.ok(
      rows.every((r: { attempts: string }) => SECRET.test(r.attempts)),
      'both rows keep the upstream text',
    );
  });

  it('hides the texts of a fallback that answered, and of a stream that fails after its first byte', async () => {
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 429, message: 'rate limit for org-7f3a' }, times: 2 }]);
    const fellBack = await call('POST', '/v1/chat/completions', user, chatBody('hi'));
    assert.equal(fellBack.status, 200);
    assert.doesNotMatch(JSON.stringify(fellBack.body), SECRET);
    assert.equal(fellBack.body.metadata.attempts[0].error, '429: rate limited');

    s.emulator.script.add('openai', [{ behavior: { type: 'stream-error', afterChunks: 1, status: 500, message: 'shard proj-991 crashed' } }]);
    const res = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' },
      body: JSON.stringify(chatBody('hi', { stream: true, model: 'gpt-4o-mini' })),
    });
    const text = await res.text();
    assert.match(text, /failed mid-answer/);
    assert.doesNotMatch(text, SECRET);
    assert.doesNotMatch(text, /\[DONE\]/);
  });

  it("still quotes an upstream's refusal of the request itself, which the caller needs to fix it", async () => {
    s.emulator.script.reset();
    s.emulator.script.add('openai', [{ behavior: { type: 'error', status: 400, message: "messages[0]: unknown field 'colour'" } }]);
    const refused = await call('POST', '/v1/chat/completions', user, chatBody('hi', { model: 'gpt-4o-mini' }));
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /unknown field 'colour'/);
  });
});
