/**
 * What each adapter sends upstream, and what the emulator answers with, checked against the
 * providers' official machine-readable specs (../shared/specs).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { createAdapters } from '../../src/providers/registry.js';
import type { ChatCall, ProviderId } from '../../src/providers/types.js';
import { specErrors, SPECS_MISSING } from '../helpers/specs.js';
import { needs } from '../helpers/requirements.js';

const adapters = createAdapters({ anthropicDefaultMaxTokens: 1024, openRouterAppUrl: 'https://x.example', openRouterAppTitle: 'x' });

const variants: Array<{ name: string; call: ChatCall }> = [
  { name: 'minimal', call: { model: 'm', messages: [{ role: 'user', content: 'hi' }], params: {}, stream: false } },
  {
    name: 'every text parameter, streaming',
    call: {
      model: 'm',
      messages: [
        { role: 'system', content: 's' },
        { role: 'developer', content: 'd' },
        { role: 'user', content: 'u', name: 'ana' },
        { role: 'assistant', content: 'a' },
        { role: 'user', content: 'u2' },
      ],
      params: { temperature: 0.7, topP: 0.9, maxTokens: 99, stop: ['x', 'y'] },
      stream: true,
    },
  },
  { name: 'top_p only', call: { model: 'm', messages: [{ role: 'user', content: 'hi' }], params: { topP: 0.5 }, stream: false } },
  {
    name: 'tools, images, a tool round trip and a forced choice',
    call: {
      model: 'm',
      messages: [
        { role: 'system', content: 's' },
        {
          role: 'user',
          content: 'what is this?',
          parts: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', image: { kind: 'data', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', image: { kind: 'url', url: 'https://example.com/cat.jpg' }, detail: 'low' },
          ],
        },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'call_1__sig_c2ln', name: 'get_weather', arguments: '{"city":"Lima"}' },
            { id: 'call_2', name: 'get_time', arguments: '{}' },
          ],
        },
        { role: 'tool', content: '{"temp":21}', toolCallId: 'call_1__sig_c2ln' },
        { role: 'tool', content: 'noon', toolCallId: 'call_2' },
        { role: 'user', content: 'and tomorrow?' },
      ],
      params: {
        tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }, { name: 'get_time' }],
        toolChoice: { name: 'get_weather' },
        parallelToolCalls: false,
        openaiExtras: { seed: 7, presence_penalty: 0.5, user: 'u-1' },
      },
      stream: true,
    },
  },
  {
    name: 'a JSON schema response format',
    call: {
      model: 'm',
      messages: [{ role: 'user', content: 'json please' }],
      params: { responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, strict: true } },
      stream: false,
    },
  },
  { name: 'JSON mode', call: { model: 'm', messages: [{ role: 'user', content: 'json please' }], params: { responseFormat: { type: 'json_object' }, toolChoice: 'required' }, stream: false } },
];

const requestSchemas: Record<ProviderId, ['openai' | 'openrouter' | 'anthropic' | 'gemini', string]> = {
  openai: ['openai', 'CreateChatCompletionRequest'],
  openrouter: ['openrouter', 'ChatRequest'],
  anthropic: ['anthropic', 'CreateMessageParams'],
  gemini: ['gemini', 'GenerateContentRequest'],
};

describe('adapter requests match the official request schemas', () => {
  for (const provider of Object.keys(requestSchemas) as ProviderId[]) {
    for (const v of variants) {
      it(`${provider}: ${v.name}`, () => {
        const model = provider === 'anthropic' ? 'claude-sonnet-4-5' : provider === 'gemini' ? 'gemini-2.5-flash' : v.call.model;
        const { http } = adapters[provider].buildRequest({ ...v.call, model }, { apiKey: 'k', baseUrl: 'http://x' });
        const [spec, schema] = requestSchemas[provider];
        assert.deepEqual(specErrors(spec, schema, JSON.parse(http.body)), []);
      });
    }
  }

  it('the validator does catch a wrong request (the check can fail)', needs(SPECS_MISSING), () => {
    assert.notDeepEqual(specErrors('anthropic', 'CreateMessageParams', { model: 'c', messages: [{ role: 'system', content: 'x' }] }), []);
    assert.notDeepEqual(specErrors('gemini', 'GenerateContentRequest', { contents: [{ role: 'user', parts: 'nope' }] }), []);
  });
});

describe('the emulator answers in each provider’s official response schema', () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator();
  });
  after(() => emulator.close());

  async function send(provider: ProviderId, stream: boolean, params: ChatCall['params'] = { maxTokens: 50 }): Promise<string> {
    const model = provider === 'anthropic' ? 'claude-sonnet-4-5' : provider === 'gemini' ? 'gemini-2.5-flash' : 'vendor/model:free';
    const { http } = adapters[provider].buildRequest({ model, messages: [{ role: 'user', content: 'validate me' }], params, stream }, { apiKey: 'k', baseUrl: emulator.baseUrls[provider] });
    const res = await request(http.url, { method: 'POST', headers: http.headers, body: http.body });
    assert.equal(res.statusCode, 200);
    return res.body.text();
  }

  const dataEvents = (text: string) =>
    text
      .split(/\n\n/)
      .map((frame) =>
        frame
          .split('\n')
          .find((l) => l.startsWith('data: '))
          ?.slice(6),
      )
      .filter((d): d is string => d !== undefined && d !== '[DONE]')
      .map((d) => JSON.parse(d) as unknown);

  const cases: Array<[ProviderId, 'openai' | 'openrouter' | 'anthropic' | 'gemini', string, string]> = [
    ['openai', 'openai', 'CreateChatCompletionResponse', 'CreateChatCompletionStreamResponse'],
    ['openrouter', 'openrouter', 'ChatResult', 'ChatStreamChunk'],
    ['anthropic', 'anthropic', 'Message', 'MessageStreamEvent'],
    ['gemini', 'gemini', 'GenerateContentResponse', 'GenerateContentResponse'],
  ];
  for (const [provider, spec, whole, chunk] of cases) {
    it(`${provider}: a whole answer and every stream event`, async () => {
      assert.deepEqual(specErrors(spec, whole, JSON.parse(await send(provider, false))), []);
      const events = dataEvents(await send(provider, true));
      assert.ok(events.length >= 3);
      for (const event of events) assert.deepEqual(specErrors(spec, chunk, event), [], JSON.stringify(event));
    });

    it(`${provider}: an answer that calls tools, whole and streamed`, async () => {
      const params: ChatCall['params'] = {
        tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
        toolChoice: { name: 'get_weather' },
      };
      const answer = JSON.parse(await send(provider, false, params));
      assert.deepEqual(specErrors(spec, whole, answer), []);
      assert.match(JSON.stringify(answer), /get_weather/);
      const events = dataEvents(await send(provider, true, params));
      for (const event of events) assert.deepEqual(specErrors(spec, chunk, event), [], JSON.stringify(event));
      assert.match(JSON.stringify(events), /get_weather/);
    });
  }
});
