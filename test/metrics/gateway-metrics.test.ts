import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { HealthTracker } from '../../src/routing/health.js';
import type { RequestLogRow } from '../../src/store/request-log-writer.js';

function metrics(): GatewayMetrics {
  return new GatewayMetrics({
    health: { report: () => [] } as unknown as HealthTracker,
    cache: undefined,
    streamsInFlight: () => 0,
    requestsInFlight: () => 0,
    isKnownModel: (m) => m === 'gpt-4o-mini',
  });
}

const row = (over: Partial<RequestLogRow> = {}): RequestLogRow => ({
  id: 'r',
  created_at: '2026-11-23T00:00:00.000Z',
  user_id: 'admin',
  gateway_key_id: null,
  session_id: null,
  endpoint: 'chat.completions',
  model_requested: null,
  model_used: 'gpt-4o-mini',
  provider: 'openai',
  priority: 'normal',
  stream: 0,
  status: 'success',
  http_status: 200,
  error: null,
  prompt_tokens: 10,
  completion_tokens: 5,
  total_tokens: 15,
  cost_usd: 0.25,
  latency_ms: 3,
  cache_hit: 0,
  attempts: '[]',
  ...over,
});

function value(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(line + ' '));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('gateway metrics', () => {
  it('counts totals per label set, the same on every scrape (never doubled, never lost)', async () => {
    const m = metrics();
    for (let i = 0; i < 3; i++) m.observeHttp('POST', '/v1/chat/completions', 200, 0.01);
    m.observeHttp('POST', '/v1/chat/completions', 429, 0.01);
    m.observeRow(row(), [{ provider: 'openai', model: 'gpt-4o-mini', status: 'ok', latency_ms: 3 }]);
    m.observeRow(row({ model_used: 'vendor/unknown', provider: 'openrouter', cost_usd: 0.5 }), [
      { provider: 'openrouter', model: 'vendor/unknown', status: 'error', http_status: 500, latency_ms: 2 },
      { provider: 'openrouter', model: 'vendor/unknown', status: 'ok', latency_ms: 4 },
    ]);
    for (let scrape = 0; scrape < 3; scrape++) {
      const text = await m.text();
      assert.equal(value(text, 'cerebro_http_requests_total{method="POST",route="/v1/chat/completions",status="200"}'), 3);
      assert.equal(value(text, 'cerebro_http_requests_total{method="POST",route="/v1/chat/completions",status="429"}'), 1);
      assert.equal(value(text, 'cerebro_http_request_duration_seconds_count{method="POST",route="/v1/chat/completions",status="200"}'), 3);
      assert.equal(value(text, 'cerebro_answers_total{endpoint="chat.completions",provider="openai",model="gpt-4o-mini",status="200",cache="miss"}'), 1);
      assert.equal(value(text, 'cerebro_tokens_total{provider="openai",model="gpt-4o-mini",kind="prompt"}'), 10);
      assert.equal(value(text, 'cerebro_tokens_total{provider="openrouter",model="other",kind="completion"}'), 5);
      assert.equal(value(text, 'cerebro_cost_usd_total{provider="openrouter",model="other"}'), 0.5);
      assert.equal(value(text, 'cerebro_upstream_requests_total{provider="openrouter",model="other",outcome="error",status="500"}'), 1);
      assert.equal(value(text, 'cerebro_upstream_requests_total{provider="openai",model="gpt-4o-mini",outcome="ok",status="200"}'), 1);
    }
    m.observeHttp('POST', '/v1/chat/completions', 200, 0.01);
    assert.equal(value(await m.text(), 'cerebro_http_requests_total{method="POST",route="/v1/chat/completions",status="200"}'), 4);
  });

  it('a row with infinite or overflowing figures counts as nothing and never breaks a scrape', async () => {
    const m = metrics();
    m.observeRow(row({ prompt_tokens: Infinity, completion_tokens: Number.NaN, cost_usd: 1e308 }));
    m.observeRow(row({ cost_usd: 1e308 }));
    m.observeRow(row({ cost_usd: Infinity, prompt_tokens: -5 }));
    for (let scrape = 0; scrape < 2; scrape++) {
      const text = await m.text();
      assert.equal(value(text, 'cerebro_tokens_total{provider="openai",model="gpt-4o-mini",kind="prompt"}'), 10);
      assert.equal(value(text, 'cerebro_tokens_total{provider="openai",model="gpt-4o-mini",kind="completion"}'), 10);
      assert.equal(value(text, 'cerebro_cost_usd_total{provider="openai",model="gpt-4o-mini"}'), Number.MAX_VALUE);
      assert.equal(value(text, 'cerebro_answers_total{endpoint="chat.completions",provider="openai",model="gpt-4o-mini",status="200",cache="miss"}'), 3);
    }
  });
});
