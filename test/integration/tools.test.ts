/**
 * Function calling, JSON output and images end to end on every wire format: the official OpenAI
 * SDK against the gateway, the gateway against the emulator, what goes upstream checked against
 * each provider's own request schema and what comes back against OpenAI's response schemas.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type OpenAI from 'openai';
import { specErrors } from '../helpers/specs.js';
import { startStack, type Stack } from '../helpers/stack.js';

type Provider = 'openrouter' | 'openai' | 'anthropic' | 'gemini';

const MODELS: Record<Provider, string> = {
  openrouter: 'meta-llama/llama-3.3-70b-instruct:free',
  openai: 'gpt-4o-mini',
  anthropic: 'claude-sonnet-4-5',
  gemini: 'gemini-2.5-flash',
};

const REQUEST_SCHEMAS: Record<Provider, [Provider, string]> = {
  openai: ['openai', 'CreateChatCompletionRequest'],
  openrouter: ['openrouter', 'ChatRequest'],
  anthropic: ['anthropic', 'CreateMessageParams'],
  gemini: ['gemini', 'GenerateContentRequest'],
};

const weatherTool: OpenAI.Chat.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] },
  },
};
const timeTool: OpenAI.Chat.ChatCompletionTool = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } };

/** The OpenAI body without Cerebro's own `metadata` (checked elsewhere), for the spec check. */
const openaiPart = (data: unknown) => {
  const { metadata: _ours, ...rest } = data as Record<string, unknown>;
  return rest;
};

describe('tools, JSON output and capabilities on every wire format', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(() => s.close());
  beforeEach(() => {
    s.emulator.reset();
    s.gateway.health.reset();
  });

  /** The last request the emulator received for a provider, checked against that provider's request schema. */
  const lastUpstream = (provider: Provider) => {
    const sent = s.emulator.requests.filter((r) => r.provider === provider && r.body !== undefined).at(-1);
    assert.ok(sent, `no request reached ${provider}`);
    const [spec, schema] = REQUEST_SCHEMAS[provider];
    assert.deepEqual(specErrors(spec, schema, sent.body), [], JSON.stringify(sent.body));
    return sent.body as Record<string, unknown>;
  };

  for (const provider of Object.keys(MODELS) as Provider[]) {
    const model = MODELS[provider];

    it(`${provider}: a forced tool call, then the tool's result, round trip`, async () => {
      const question: OpenAI.Chat.ChatCompletionMessageParam = { role: 'user', content: 'Weather in Lima?' };
      const first = await s.client.chat.completions.create({ model, messages: [question], tools: [weatherTool, timeTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } });
      assert.deepEqual(specErrors('openai', 'CreateChatCompletionResponse', openaiPart(first)), []);
      const choice = first.choices[0]!;
      assert.equal(choice.finish_reason, 'tool_calls');
      const call = choice.message.tool_calls?.[0];
      assert.ok(call && call.type === 'function');
      assert.equal(call.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Weather in Lima?', unit: 'celsius' });
      assert.ok(call.id.length > 0);
      lastUpstream(provider);

      const second = await s.client.chat.completions.create({
        model,
        messages: [question, choice.message, { role: 'tool', tool_call_id: call.id, content: '{"temperature":21}' }],
        tools: [weatherTool, timeTool],
      });
      assert.equal(second.choices[0]!.finish_reason, 'stop');
      assert.match(second.choices[0]!.message.content ?? '', /Tool result: .*"temperature":21/);
      lastUpstream(provider);
    });

    it(`${provider}: tool calls streamed as OpenAI tool-call deltas, two calls in parallel`, async () => {
      s.emulator.script.add(provider, [{ behavior: { type: 'ok', toolCalls: [{ name: 'get_weather', arguments: { city: 'Quito' } }, { name: 'get_time' }] } }]);
      const stream = await s.client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Weather and time in Quito?' }], tools: [weatherTool, timeTool], stream: true });
      const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
      let finish: string | null = null;
      for await (const chunk of stream) {
        assert.deepEqual(specErrors('openai', 'CreateChatCompletionStreamResponse', openaiPart(chunk)), [], JSON.stringify(chunk));
        const c = chunk.choices[0];
        for (const delta of c?.delta.tool_calls ?? []) {
          const call = (calls[delta.index] ??= { arguments: '' });
          if (delta.id) call.id = delta.id;
          if (delta.function?.name) call.name = delta.function.name;
          call.arguments += delta.function?.arguments ?? '';
        }
        if (c?.finish_reason) finish = c.finish_reason;
      }
      assert.equal(finish, 'tool_calls');
      assert.deepEqual(
        calls.map((c) => [c.name, JSON.parse(c.arguments)]),
        [
          ['get_weather', { city: 'Quito' }],
          ['get_time', {}],
        ],
      );
      assert.ok(calls.every((c) => c.id && c.id.length > 0));
      lastUpstream(provider);
    });

    it(`${provider}: response_format json_schema gives JSON that fits the schema, whole and streamed`, async () => {
      const response_format: OpenAI.ResponseFormatJSONSchema = {
        type: 'json_schema',
        json_schema: { name: 'city_facts', schema: { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city', 'population'] } },
      };
      const { data, response } = await s.client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Facts about Lima' }], response_format }).withResponse();
      const json = JSON.parse(data.choices[0]!.message.content ?? '') as Record<string, unknown>;
      assert.equal(typeof json.city, 'string');
      assert.equal(json.population, 1);
      assert.equal(data.choices[0]!.finish_reason, 'stop');
      const warnings = response.headers.get('x-cerebro-warnings') ?? '';
      if (provider === 'anthropic') assert.match(warnings, /forced tool/);
      else assert.doesNotMatch(warnings, /response_format/);
      const body = lastUpstream(provider);
      if (provider === 'gemini') assert.equal((body.generationConfig as Record<string, unknown>).responseMimeType, 'application/json');

      const stream = await s.client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Facts about Lima' }], response_format, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      assert.deepEqual(Object.keys(JSON.parse(text) as object).sort(), ['city', 'population']);
    });
  }

  it('gemini: the thought signature of a call goes back with it (Gemini 3 refuses the turn without)', async () => {
    const model = 'gemini-3-pro-preview';
    const question: OpenAI.Chat.ChatCompletionMessageParam = { role: 'user', content: 'Weather in Lima?' };
    const first = await s.client.chat.completions.create({ model, messages: [question], tools: [weatherTool], tool_choice: 'required' });
    const call = first.choices[0]!.message.tool_calls![0]!;
    const second = await s.client.chat.completions.create({ model, messages: [question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }], tools: [weatherTool] });
    assert.match(second.choices[0]!.message.content ?? '', /Tool result: \{"result":"sunny"\}/);
    const sent = lastUpstream('gemini');
    const parts = (sent.contents as Array<{ parts: Array<Record<string, unknown>> }>)[1]!.parts;
    assert.equal(typeof parts[0]!.thoughtSignature, 'string');
  });

  it('a conversation started on Gemini continues on Anthropic: ids fit its pattern, calls and results still pair', async () => {
    const question: OpenAI.Chat.ChatCompletionMessageParam = { role: 'user', content: 'Weather?' };
    const first = await s.client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [question], tools: [weatherTool], tool_choice: 'required' });
    const call = first.choices[0]!.message.tool_calls![0]!;
    assert.match(call.id, /__sig_/);
    const second = await s.client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
      tools: [weatherTool],
    });
    assert.match(second.choices[0]!.message.content ?? '', /Tool result: sunny/);
    const sent = lastUpstream('anthropic');
    const ids = JSON.stringify(sent.messages).match(/"(?:id|tool_use_id)":"([^"]+)"/g) ?? [];
    assert.equal(ids.length, 2);
    assert.ok(ids.every((id) => !id.includes('__sig_')));
  });

  it('OpenAI-only parameters reach OpenAI verbatim; Gemini maps what it has and names the rest in x-cerebro-warnings', async () => {
    const extras = { seed: 42, presence_penalty: 0.5, frequency_penalty: 0.25, logit_bias: { '50256': -100 }, user: 'end-user-7' };
    await s.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extras });
    const openaiBody = lastUpstream('openai');
    for (const [k, v] of Object.entries(extras)) assert.deepEqual(openaiBody[k], v);

    const { response } = await s.client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }], ...extras }).withResponse();
    const config = lastUpstream('gemini').generationConfig as Record<string, unknown>;
    assert.deepEqual([config.seed, config.presencePenalty, config.frequencyPenalty], [42, 0.5, 0.25]);
    const warnings = response.headers.get('x-cerebro-warnings') ?? '';
    assert.match(warnings, /logit_bias is not supported by gemini/);
    assert.match(warnings, /user is not supported by gemini/);

    await s.client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], user: 'end-user-7', n: 2 });
    assert.deepEqual(lastUpstream('anthropic').metadata, { user_id: 'end-user-7' });
  });

  it('n > 1 is answered with one choice and said so', async () => {
    const { data, response } = await s.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], n: 3 }).withResponse();
    assert.equal(data.choices.length, 1);
    assert.match(response.headers.get('x-cerebro-warnings') ?? '', /n=3 is not supported; one choice was returned/);
  });

  it('capability-aware routing: images skip text-only models; a named model without the capability is a clear 400', async () => {
    const image = { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } };
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, image] }];
    const { data, response } = await s.client.chat.completions.create({ model: 'auto', messages }).withResponse();
    // The free tier (text only in the catalog) is skipped: Gemini, the first vision model of the cascade, answers.
    assert.equal(response.headers.get('x-cerebro-provider'), 'gemini');
    assert.match(data.choices[0]!.message.content ?? '', /1 image\(s\): image\/png/);
    const parts = (lastUpstream('gemini').contents as Array<{ parts: Array<Record<string, unknown>> }>)[0]!.parts;
    assert.deepEqual(parts[1], { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } });
    assert.equal(s.emulator.requests.filter((r) => r.provider === 'openrouter').length, 0);

    const refused = await s.post('/v1/chat/completions', { model: 'openrouter/free', messages });
    assert.equal(refused.status, 400);
    const body = (await refused.json()) as { error: { code: string; param: string; message: string } };
    assert.equal(body.error.code, 'model_not_capable');
    assert.equal(body.error.param, 'model');
    assert.match(body.error.message, /'openrouter\/free' does not support images/);

    const planned = await s.post('/v1/route', { model: 'auto', route: 'score', messages });
    const plan = (await planned.json()) as { targets: Array<{ provider: string }>; excluded: Array<{ model: string; reason: string }> };
    assert.ok(plan.targets.length > 0 && plan.targets.every((t) => t.provider !== 'openrouter'));
    assert.ok(plan.excluded.some((e) => e.model === 'openrouter/free' && /no support for images/.test(e.reason)));
  });

  it('images go to Anthropic as image blocks (base64 and URL sources)', async () => {
    await s.client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
            { type: 'image_url', image_url: { url: 'https://images.example/cat.png' } },
          ],
        },
      ],
    });
    const content = (lastUpstream('anthropic').messages as Array<{ content: unknown }>)[0]!.content;
    assert.deepEqual(content, [
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
      { type: 'image', source: { type: 'url', url: 'https://images.example/cat.png' } },
    ]);
  });
});

describe('images by URL for Gemini: fetched by the gateway behind the SSRF guard', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  let images: Server;
  let imageUrl: string;
  before(async () => {
    images = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/cat.png`;
  });
  after(() => new Promise<void>((resolve) => images.close(() => resolve())));

  const ask = (s: Stack, url: string) =>
    s.post('/v1/chat/completions', {
      model: 'gemini-2.5-flash',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is it?' },
            { type: 'image_url', image_url: { url } },
          ],
        },
      ],
    });

  it('refuses an image on a private address with a 400 naming the part, and calls no upstream', async () => {
    const s = await startStack();
    try {
      const res = await ask(s, imageUrl);
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: { code: string; param: string; message: string } };
      assert.equal(body.error.code, 'invalid_image_url');
      assert.equal(body.error.param, 'messages[0].content[1].image_url.url');
      assert.match(body.error.message, /could not be fetched/);
      assert.equal(s.emulator.requests.filter((r) => r.provider === 'gemini').length, 0);
    } finally {
      await s.close();
    }
  });

  it('inlines a fetched image for Gemini when the address is allowed (IMAGE_FETCH_ALLOW_PRIVATE, a trusted LAN)', async () => {
    const s = await startStack({ IMAGE_FETCH_ALLOW_PRIVATE: 'true', IMAGE_FETCH_PORTS: new URL(imageUrl).port });
    try {
      const res = await ask(s, imageUrl);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
      assert.match(body.choices[0]!.message.content, /1 image\(s\): image\/png/);
      const sent = s.emulator.requests.filter((r) => r.provider === 'gemini').at(-1)!.body as { contents: Array<{ parts: unknown[] }> };
      assert.deepEqual(sent.contents[0]!.parts[1], { inlineData: { mimeType: 'image/png', data: png.toString('base64') } });
      assert.deepEqual(specErrors('gemini', 'GenerateContentRequest', sent), []);
    } finally {
      await s.close();
    }
  });
});
