/** GET /metrics after real traffic: Prometheus text with requests, upstream calls, tokens, cost, circuits and streams. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

/** The value of one sample, by metric name and exact labels (in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ CACHE_MAX_SIZE: '100', METRICS_TOKEN: 'scraper-token-0123456789' });
  });
  after(() => s.close());

  const scrape = async (token: string | undefined = TEST_TOKEN) => fetch(`${s.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('counts requests, upstream calls, tokens, cost, cache hits and circuits after traffic', async () => {
    await s.client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'metrics one' }] });
    await s.client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'metrics one' }] }); // a cache hit
    const stream = await s.client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'metrics stream' }], stream: true });
    for await (const _ of stream) void _;
    s.emulator.script.add('openai', [{ behavior: { type: 'error', status: 500 } }]);
    await s.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fails over' }] });
    await s.client.embeddings.create({ model: 'text-embedding-3-small', input: 'vector' });

    const res = await scrape();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.ok((sample(text, 'cerebro_http_requests_total', { method: 'POST', route: '/v1/chat/completions', status: '200' }) ?? 0) >= 4);
    assert.ok((sample(text, 'cerebro_http_request_duration_seconds_count', { route: '/v1/embeddings', status: '200' }) ?? 0) >= 1);
    assert.equal(sample(text, 'cerebro_upstream_requests_total', { provider: 'openai', model: 'gpt-4o-mini', outcome: 'error', status: '500' }), 1);
    assert.ok((sample(text, 'cerebro_upstream_requests_total', { provider: 'gemini', model: 'gemini-2.5-flash', outcome: 'ok' }) ?? 0) >= 1);
    assert.ok((sample(text, 'cerebro_upstream_duration_seconds_count', { provider: 'anthropic', model: 'claude-sonnet-4-5' }) ?? 0) >= 1);
    assert.ok((sample(text, 'cerebro_tokens_total', { provider: 'anthropic', model: 'claude-sonnet-4-5', kind: 'completion' }) ?? 0) > 0);
    assert.ok((sample(text, 'cerebro_tokens_total', { provider: 'openai', model: 'text-embedding-3-small', kind: 'prompt' }) ?? 0) > 0);
    assert.ok((sample(text, 'cerebro_cost_usd_total', { provider: 'anthropic', model: 'claude-sonnet-4-5' }) ?? 0) > 0);
    assert.equal(sample(text, 'cerebro_answers_total', { endpoint: 'chat.completions', provider: 'gemini', cache: 'hit' }), 1);
    assert.equal(sample(text, 'cerebro_cache_lookups', { result: 'hit' }), 1);
    assert.equal(sample(text, 'cerebro_circuit_state', { provider: 'openai', model: 'gpt-4o-mini' }), 0);
    assert.equal(sample(text, 'cerebro_streams_in_flight'), 0);
    assert.ok((sample(text, 'cerebro_request_logs_pending') ?? -1) >= 0, 'rows waiting to be written are shown');
    assert.equal(sample(text, 'cerebro_request_logs_lost', { reason: 'bound' }), 0);
    assert.ok((sample(text, 'cerebro_process_resident_memory_bytes') ?? 0) > 0);
  });

  it('counts a stream in flight while it is being written', async () => {
    s.emulator.script.add('anthropic', [{ behavior: { type: 'ok', chunkDelayMs: 100 } }]);
    const res = await s.post('/v1/chat/completions', { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'one two three four' }], stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    assert.equal(sample(await (await scrape()).text(), 'cerebro_streams_in_flight'), 1);
    while (!(await reader.read()).done);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(sample(await (await scrape()).text(), 'cerebro_streams_in_flight'), 0);
  });

  it('takes the operator token or METRICS_TOKEN, and nothing else; METRICS_TOKEN opens nothing else', async () => {
    assert.equal((await scrape('')).status, 401);
    assert.equal((await scrape('scraper-token-0123456789')).status, 200);
    const signup = await s.post('/api/auth/signup', { email: 'metrics@example.com', password: 'Correct-Horse-9', name: 'M' });
    const jwt = ((await signup.json()) as { access_token: string }).access_token;
    assert.equal((await scrape(jwt)).status, 401);
    const elsewhere = await fetch(`${s.url}/v1/models`, { headers: { authorization: 'Bearer scraper-token-0123456789' } });
    assert.equal(elsewhere.status, 401);
  });

  it('labels model names outside the catalog as "other" (callers cannot grow the series)', async () => {
    for (const name of ['vendor/made-up-1', 'vendor/made-up-2']) {
      s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 404 }, model: name }]);
      await s.post('/v1/chat/completions', { model: name, messages: [{ role: 'user', content: 'x' }] });
    }
    const text = await (await scrape()).text();
    assert.doesNotMatch(text, /made-up/);
    assert.ok((sample(text, 'cerebro_upstream_requests_total', { provider: 'openrouter', model: 'other' }) ?? 0) >= 2);
  });

  it('counts a stream the client abandons in the HTTP metrics (status 499)', async () => {
    s.emulator.script.add('anthropic', [{ behavior: { type: 'ok', chunkDelayMs: 200 } }]);
    const controller = new AbortController();
    const res = await s.post('/v1/chat/completions', { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'one two three four five' }], stream: true }, {}, controller.signal);
    await res.body!.getReader().read();
    controller.abort();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sample(await (await scrape()).text(), 'cerebro_http_requests_total', { route: '/v1/chat/completions', status: '499' }), 1);
  });
});
