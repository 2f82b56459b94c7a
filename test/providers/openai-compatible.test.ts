import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../src/providers/errors.js';
import { mapOpenAIFinishReason } from '../../src/providers/openai-compatible/map-finish-reason.js';
import { createAdapters } from '../../src/providers/registry.js';
import { SseDecoder } from '../../src/providers/sse-decoder.js';
import type { ChatCall, StreamPart } from '../../src/providers/types.js';

const adapters = createAdapters({ anthropicDefaultMaxTokens: 4096, openRouterAppUrl: 'https://example.com/app', openRouterAppTitle: 'Cerebro Test' });
const creds = { apiKey: 'sk-test', baseUrl: 'http://up.example/v1/' };

const call = (over: Partial<ChatCall> = {}): ChatCall => ({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'developer', content: 'be brief' },
    { role: 'user', content: 'hi', name: 'ana' },
  ],
  params: { temperature: 0.5, topP: 0.9, maxTokens: 100, stop: ['END'] },
  stream: false,
  ...over,
});

function decodeAll(provider: 'openai' | 'openrouter', text: string): StreamPart[] {
  const decoder = adapters[provider].createStreamDecoder(call());
  const sse = new SseDecoder();
  return [...sse.push(text), ...sse.end()].flatMap((e) => decoder.decode(e));
}

describe('OpenAI-compatible request building', () => {
  it('sends OpenAI max_completion_tokens, the developer role and a bearer key', () => {
    const { http, warnings } = adapters.openai.buildRequest(call(), creds);
    assert.equal(http.url, 'http://up.example/v1/chat/completions');
    assert.equal(http.headers.authorization, 'Bearer sk-test');
    const body = JSON.parse(http.body);
    assert.deepEqual(body, {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'developer', content: 'be brief' },
        { role: 'user', content: 'hi', name: 'ana' },
      ],
      temperature: 0.5,
      top_p: 0.9,
      max_completion_tokens: 100,
      stop: ['END'],
    });
    assert.deepEqual(warnings, []);
  });

  it('sends OpenRouter max_tokens, system instead of developer, and its attribution headers', () => {
    const { http } = adapters.openrouter.buildRequest(call({ model: 'meta-llama/llama-3.3-70b-instruct:free' }), creds);
    const body = JSON.parse(http.body);
    assert.equal(body.max_tokens, 100);
    assert.equal(body.max_completion_tokens, undefined);
    assert.equal(body.messages[0].role, 'system');
    assert.equal(http.headers['HTTP-Referer'], 'https://example.com/app');
    assert.equal(http.headers['X-Title'], 'Cerebro Test');
  });

  it('asks for usage on streams and passes OpenAI-only parameters through verbatim', () => {
    const { http } = adapters.openai.buildRequest(call({ stream: true, params: { openaiExtras: { seed: 7, user: 'u1' } } }), creds);
    const body = JSON.parse(http.body);
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(body.seed, 7);
    assert.equal(body.user, 'u1');
    assert.equal(http.headers.accept, 'text/event-stream');
  });
});

describe('OpenAI-compatible responses', () => {
  it('maps text, finish reason and usage, keeping a real 0', () => {
    const result = adapters.openai.parseResponse(
      { id: 'x1', model: 'gpt-4o-mini-2024', choices: [{ message: { content: 'hello' }, finish_reason: 'length' }], usage: { prompt_tokens: 0, completion_tokens: 2 } },
      call(),
    );
    assert.deepEqual(result, { upstreamId: 'x1', model: 'gpt-4o-mini-2024', text: 'hello', finishReason: 'length', usage: { promptTokens: 0, completionTokens: 2, totalTokens: 2 } });
  });

  it('treats an error object in a 200 body as an upstream error', () => {
    assert.throws(
      () => adapters.openrouter.parseResponse({ error: { code: 429, message: 'Rate limit exceeded: free-models-per-day' } }, call()),
      (err: unknown) => err instanceof UpstreamError && err.status === 429 && err.isRetryable,
    );
  });

  it('reports an unexpected shape as a protocol error', () => {
    assert.throws(
      () => adapters.openai.parseResponse({ choices: [] }, call()),
      (err: unknown) => err instanceof UpstreamError && err.kind === 'protocol',
    );
  });

  it('maps finish reasons', () => {
    const table: Array<[string | null, string]> = [
      ['stop', 'stop'],
      ['length', 'length'],
      ['tool_calls', 'tool_calls'],
      ['function_call', 'tool_calls'],
      ['content_filter', 'content_filter'],
      [null, 'stop'],
      ['eos', 'stop'],
    ];
    for (const [input, expected] of table) assert.equal(mapOpenAIFinishReason(input), expected, String(input));
  });

  it('parses errors with the upstream message, code and Retry-After', () => {
    const err = adapters.openai.parseError(429, { 'retry-after': '12' }, JSON.stringify({ error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } }));
    assert.equal(err.status, 429);
    assert.equal(err.message, 'slow down');
    assert.equal(err.upstreamCode, 'rate_limit_exceeded');
    assert.equal(err.retryAfterMs, 12_000);
    const html = adapters.openai.parseError(502, {}, '<html>Bad gateway</html>');
    assert.equal(html.message, '<html>Bad gateway</html>');
  });
});

describe('OpenAI-compatible streams', () => {
  it('turns chunks into text deltas, a finish and usage, and sees [DONE]', () => {
    const stream = [
      ': OPENROUTER PROCESSING',
      '',
      'data: {"id":"g1","model":"vendor/m:free","choices":[{"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
      '',
      'data: {"id":"g1","choices":[{"delta":{"content":"Hel"},"finish_reason":null}]}',
      '',
      'data: {"id":"g1","choices":[{"delta":{"content":"lo"},"finish_reason":"stop"}]}',
      '',
      'data: {"id":"g1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
      '',
      'data: [DONE]',
      '',
      '',
    ].join('\n');
    const decoder = adapters.openrouter.createStreamDecoder(call());
    const sse = new SseDecoder();
    const parts = [...sse.push(stream), ...sse.end()].flatMap((e) => decoder.decode(e));
    assert.deepEqual(parts, [
      { type: 'model', model: 'vendor/m:free' },
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } },
    ]);
    assert.equal(decoder.finished, true);
  });

  it("turns OpenRouter's mid-stream error chunk into an UpstreamError with its status", () => {
    const text =
      'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n' +
      'data: {"id":"g","object":"chat.completion.chunk","provider":"X","error":{"code":502,"message":"Provider disconnected"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}\n\n';
    assert.throws(
      () => decodeAll('openrouter', text),
      (err: unknown) => err instanceof UpstreamError && err.status === 502 && err.message === 'Provider disconnected',
    );
  });

  it('rejects a chunk that is not JSON as a protocol error', () => {
    assert.throws(
      () => decodeAll('openai', 'data: {not json\n\n'),
      (err: unknown) => err instanceof UpstreamError && err.kind === 'protocol',
    );
  });
});

describe('OpenAI-compatible error classification', () => {
  it("treats OpenRouter's 400 for a retired model id as the provider's fault, so the cascade moves on", () => {
    const err = adapters.openrouter.parseError(400, {}, JSON.stringify({ error: { code: 400, message: 'old/model:free is not a valid model ID' } }));
    assert.equal(err.isRequestFault, false);
    assert.equal(err.allowsFallback, true);
    const real = adapters.openrouter.parseError(400, {}, JSON.stringify({ error: { code: 400, message: 'messages: too long for context' } }));
    assert.equal(real.isRequestFault, true);
  });

  it('never quotes an upstream credential failure back to callers', () => {
    const err = adapters.openai.parseError(401, {}, JSON.stringify({ error: { message: 'Incorrect API key provided: sk-abc***wxyz', code: 'invalid_api_key' } }));
    assert.doesNotMatch(err.publicMessage, /wxyz/);
    assert.match(err.publicMessage, /rejected the gateway's credentials/);
  });
});
