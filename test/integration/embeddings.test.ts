/** POST /v1/embeddings through the official OpenAI SDK, on OpenAI and Gemini, logged and costed. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { emulatedVector } from '../../src/emulator/formats/embeddings.js';
import type { Database } from '../../src/store/schema.js';
import { specErrors } from '../helpers/specs.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('POST /v1/embeddings', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(() => s.close());
  beforeEach(() => {
    s.emulator.reset();
  });

  const close = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) < 1e-6);

  it('OpenAI model: the SDK’s default base64 encoding decodes to the upstream’s vectors, in order, with usage', async () => {
    const res = await s.client.embeddings.create({ model: 'text-embedding-3-small', input: ['first text', 'second text'] });
    assert.equal(res.data.length, 2);
    assert.ok(close(res.data[0]!.embedding, emulatedVector('first text', 8)));
    assert.ok(close(res.data[1]!.embedding, emulatedVector('second text', 8)));
    assert.ok(res.usage.prompt_tokens > 0);
    const sent = s.emulator.requests.at(-1)!;
    assert.equal(sent.provider, 'openai');
    assert.deepEqual(specErrors('openai', 'CreateEmbeddingRequest', sent.body), []);
  });

  it('float encoding and dimensions, in OpenAI’s response schema', async () => {
    const raw = await s.post('/v1/embeddings', { model: 'text-embedding-3-large', input: 'hello', encoding_format: 'float', dimensions: 4 });
    assert.equal(raw.status, 200);
    const body = (await raw.json()) as { data: Array<{ embedding: number[] }> };
    assert.deepEqual(specErrors('openai', 'CreateEmbeddingResponse', body), []);
    assert.ok(close(body.data[0]!.embedding, emulatedVector('hello', 4)));
  });

  it('Gemini model: batchEmbedContents upstream, tokens counted by the gateway, the log row costed', async () => {
    const res = await s.client.embeddings.create({ model: 'gemini-embedding-001', input: ['uno', 'dos', 'tres'], dimensions: 6 });
    assert.equal(res.model, 'gemini-embedding-001');
    assert.deepEqual(
      res.data.map((d) => d.index),
      [0, 1, 2],
    );
    assert.ok(close(res.data[2]!.embedding, emulatedVector('tres', 6)));
    assert.ok(res.usage.prompt_tokens >= 3);
    const sent = s.emulator.requests.at(-1)!;
    assert.equal(sent.provider, 'gemini');
    assert.match(sent.path, /models\/gemini-embedding-001:batchEmbedContents$/);
    assert.deepEqual(specErrors('gemini', 'BatchEmbedContentsRequest', sent.body), []);
    await s.gateway.logs.flush();
    const db = (s.gateway.sessions as unknown as { db: Kysely<Database> }).db;
    const row = await db.selectFrom('request_logs').selectAll().where('endpoint', '=', 'embeddings').where('model_used', '=', 'gemini-embedding-001').executeTakeFirstOrThrow();
    assert.equal(row.status, 'success');
    assert.equal(row.prompt_tokens, res.usage.prompt_tokens);
    assert.ok(Number(row.cost_usd) > 0);
  });

  it('Gemini: more than its 100 inputs per call go in several batchEmbedContents calls, in order', async () => {
    const input = Array.from({ length: 230 }, (_, i) => `text ${i}`);
    const res = await s.client.embeddings.create({ model: 'gemini-embedding-001', input, encoding_format: 'float' });
    assert.equal(res.data.length, 230);
    assert.ok(close(res.data[229]!.embedding, emulatedVector('text 229', 8)));
    assert.ok(close(res.data[100]!.embedding, emulatedVector('text 100', 8)));
    const calls = s.emulator.requests.filter((r) => r.provider === 'gemini').map((r) => (r.body as { requests: unknown[] }).requests.length);
    assert.deepEqual(calls, [100, 100, 30]);
  });

  it('refuses bad input with clear 400s, an unknown model with 404, and maps an upstream 429', async () => {
    const cases: Array<[unknown, number, string | null]> = [
      [{ model: 'text-embedding-3-small' }, 400, 'input'],
      [{ model: 'text-embedding-3-small', input: '' }, 400, 'input'],
      [{ model: 'text-embedding-3-small', input: [] }, 400, 'input'],
      [{ model: 'text-embedding-3-small', input: 'x', encoding_format: 'hex' }, 400, 'encoding_format'],
      [{ model: 'gemini-embedding-001', input: [1, 2, 3] }, 400, 'input'],
      [{ model: 'no-such-embedder', input: 'x' }, 404, 'model'],
    ];
    for (const [body, status, param] of cases) {
      const res = await s.post('/v1/embeddings', body);
      assert.equal(res.status, status, JSON.stringify(body));
      const error = ((await res.json()) as { error: { param: string | null } }).error;
      assert.equal(error.param, param, JSON.stringify(body));
    }
    await s.gateway.logs.flush();
    const db = (s.gateway.sessions as unknown as { db: Kysely<Database> }).db;
    const refused = await db.selectFrom('request_logs').select(['http_status']).where('endpoint', '=', 'embeddings').where('status', '=', 'error').execute();
    assert.ok(refused.filter((r) => r.http_status === 400).length >= 4, 'refused requests are logged with their 400');
    s.emulator.script.add('openai', [{ behavior: { type: 'error', status: 429, retryAfterSeconds: 3 } }]);
    const limited = await s.post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'x' });
    assert.equal(limited.status, 503);
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'all_upstreams_overloaded');
  });

  it('lists embedding models in /v1/models', async () => {
    const list = await s.client.models.list();
    const ids = list.data.map((m) => m.id);
    assert.ok(ids.includes('text-embedding-3-small') && ids.includes('gemini-embedding-001'));
  });
});
