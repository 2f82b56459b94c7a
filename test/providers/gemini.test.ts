import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../src/providers/errors.js';
import { mapGeminiFinishReason } from '../../src/providers/gemini/map-finish-reason.js';
import { createAdapters } from '../../src/providers/registry.js';
import { SseDecoder } from '../../src/providers/sse-decoder.js';
import type { ChatCall } from '../../src/providers/types.js';

const { gemini } = createAdapters({ anthropicDefaultMaxTokens: 4096, openRouterAppUrl: 'https://x.example', openRouterAppTitle: 'x' });
const creds = { apiKey: 'g-key', baseUrl: 'http://up.example' };

const call = (over: Partial<ChatCall> = {}): ChatCall => ({
  model: 'gemini-2.5-flash',
  messages: [
    { role: 'system', content: 'Be kind.' },
    { role: 'user', content: 'q1' },
    { role: 'assistant', content: 'a1' },
    { role: 'user', content: 'q2' },
    { role: 'user', content: 'q3' },
  ],
  params: { temperature: 1.5, topP: 0.8, maxTokens: 64, stop: ['STOP!'] },
  stream: false,
  ...over,
});

describe('Gemini request building', () => {
  it('maps roles to user/model, system to systemInstruction and knobs to generationConfig', () => {
    const { http } = gemini.buildRequest(call(), creds);
    assert.equal(http.url, 'http://up.example/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(http.headers['x-goog-api-key'], 'g-key');
    assert.deepEqual(JSON.parse(http.body), {
      contents: [
        { role: 'user', parts: [{ text: 'q1' }] },
        { role: 'model', parts: [{ text: 'a1' }] },
        { role: 'user', parts: [{ text: 'q2' }, { text: 'q3' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be kind.' }] },
      generationConfig: { temperature: 1.5, topP: 0.8, maxOutputTokens: 64, stopSequences: ['STOP!'] },
    });
  });

  it('streams through streamGenerateContent?alt=sse and accepts a models/ prefix', () => {
    const { http } = gemini.buildRequest(call({ model: 'models/gemini-2.5-pro', stream: true, params: {} }), creds);
    assert.equal(http.url, 'http://up.example/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
    assert.equal(JSON.parse(http.body).generationConfig, undefined);
  });
});

describe('Gemini responses', () => {
  it('keeps visible text only, counts thinking tokens as output, and maps the finish reason', () => {
    const result = gemini.parseResponse(
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'thinking…', thought: true }, { text: 'Answer' }] }, finishReason: 'MAX_TOKENS', index: 0 }],
        usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 3, thoughtsTokenCount: 20, totalTokenCount: 30 },
        modelVersion: 'gemini-2.5-flash-001',
        responseId: 'r1',
      },
      call(),
    );
    assert.deepEqual(result, { upstreamId: 'r1', model: 'gemini-2.5-flash-001', text: 'Answer', finishReason: 'length', usage: { promptTokens: 7, completionTokens: 23, totalTokens: 30 } });
  });

  it('reports a blocked prompt as content_filter', () => {
    const result = gemini.parseResponse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 4, totalTokenCount: 4 } }, call());
    assert.equal(result.finishReason, 'content_filter');
    assert.equal(result.text, '');
  });

  it('maps finish reasons', () => {
    const table: Array<[string, string]> = [
      ['STOP', 'stop'],
      ['MAX_TOKENS', 'length'],
      ['SAFETY', 'content_filter'],
      ['RECITATION', 'content_filter'],
      ['PROHIBITED_CONTENT', 'content_filter'],
      ['OTHER', 'stop'],
    ];
    for (const [input, expected] of table) assert.equal(mapGeminiFinishReason(input), expected, input);
  });

  it('a function call Gemini could not form is an upstream failure (another target answers), not an empty tool_calls answer', () => {
    for (const reason of ['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL']) {
      assert.throws(
        () => gemini.parseResponse({ candidates: [{ content: { parts: [] }, finishReason: reason }] }, call()),
        (err: unknown) => err instanceof UpstreamError && err.status === 502 && !err.isRequestFault,
      );
    }
  });

  it('names an answer with function calls tool_calls although Gemini says STOP, and makes ids', () => {
    const result = gemini.parseResponse({ candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'c2ln' }] }, finishReason: 'STOP' }] }, call());
    assert.equal(result.finishReason, 'tool_calls');
    assert.equal(result.toolCalls?.[0]?.name, 'f');
    assert.equal(result.toolCalls?.[0]?.arguments, '{"a":1}');
    assert.match(result.toolCalls?.[0]?.id ?? '', /^call_[A-Za-z0-9_-]+__sig_c2ln$/);
  });

  it('reads the retry delay from RetryInfo and the status name as code', () => {
    const err = gemini.parseError(
      429,
      {},
      JSON.stringify({ error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '41s' }] } }),
    );
    assert.equal(err.retryAfterMs, 41_000);
    assert.equal(err.upstreamCode, 'RESOURCE_EXHAUSTED');
    assert.ok(err.isRetryable);
  });
});

describe('Gemini streams', () => {
  it('emits deltas per element, the finish on the last, usage as reported, and finishes without [DONE]', () => {
    const el = (text: string, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...extra }], modelVersion: 'gemini-2.5-flash' })}\r\n\r\n`;
    const text =
      el('Hola') +
      el(' amigo') +
      `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 2, totalTokenCount: 4 } })}\r\n\r\n`;
    const decoder = gemini.createStreamDecoder(call());
    const sse = new SseDecoder();
    const parts = [...sse.push(text), ...sse.end()].flatMap((e) => decoder.decode(e));
    assert.deepEqual(parts, [
      { type: 'model', model: 'gemini-2.5-flash' },
      { type: 'text-delta', text: 'Hola' },
      { type: 'text-delta', text: ' amigo' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { promptTokens: 2, completionTokens: 2, totalTokens: 4 } },
    ]);
    assert.equal(decoder.finished, true);
  });

  it('turns an in-stream error element into an UpstreamError', () => {
    const decoder = gemini.createStreamDecoder(call());
    assert.throws(
      () => decoder.decode({ data: JSON.stringify({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }) }),
      (err: unknown) => err instanceof UpstreamError && err.status === 503,
    );
  });
});

describe('Gemini error classification', () => {
  it('treats an invalid key reported as 400 INVALID_ARGUMENT as a provider fault', () => {
    const body = {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
      },
    };
    assert.equal(gemini.parseError(400, {}, JSON.stringify(body)).allowsFallback, true);
    const region = { error: { code: 400, message: 'User location is not supported for the API use.', status: 'FAILED_PRECONDITION' } };
    assert.equal(gemini.parseError(400, {}, JSON.stringify(region)).allowsFallback, true);
    const bad = { error: { code: 400, message: '* GenerateContentRequest.contents: contents is not specified', status: 'INVALID_ARGUMENT' } };
    assert.equal(gemini.parseError(400, {}, JSON.stringify(bad)).allowsFallback, false);
  });

  it('leaves out empty turns, saying so', () => {
    const { http, warnings } = gemini.buildRequest(
      call({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: '' },
          { role: 'user', content: 'q2' },
        ],
        params: {},
      }),
      creds,
    );
    assert.deepEqual(JSON.parse(http.body).contents, [{ role: 'user', parts: [{ text: 'q' }, { text: 'q2' }] }]);
    assert.deepEqual(warnings, ['an empty assistant message was left out (gemini refuses empty text)']);
  });
});
