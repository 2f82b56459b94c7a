import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withoutCacheMarks } from '../../src/providers/prompt-cache-marks.js';
import { createAdapters } from '../../src/providers/registry.js';
import type { ChatCall } from '../../src/providers/types.js';

const adapters = createAdapters({ anthropicDefaultMaxTokens: 4096, openRouterAppUrl: 'https://x.example', openRouterAppTitle: 'x' });
const creds = { apiKey: 'k', baseUrl: 'http://up.example' };
const fiveMinutes = { type: 'ephemeral' as const };
const anHour = { type: 'ephemeral' as const, ttl: '1h' as const };

/** A coding agent's turn: marked instructions and tools, a marked tool result, a marked question. */
const agentCall = (): ChatCall => ({
  model: 'm',
  stream: false,
  params: {
    tools: [
      { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } },
      { name: 'write_file', parameters: { type: 'object' }, cacheControl: anHour },
    ],
  },
  messages: [
    {
      role: 'system',
      content: 'You are a coding agent.\n\nRepository map: …',
      parts: [
        { type: 'text', text: 'You are a coding agent.' },
        { type: 'text', text: 'Repository map: …', cacheControl: anHour },
      ],
    },
    { role: 'user', content: 'Fix the bug' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'read_file', arguments: '{"path":"a.ts"}' }] },
    { role: 'tool', content: 'file contents', toolCallId: 'toolu_1', cacheControl: fiveMinutes },
    { role: 'user', content: 'Now run the tests', parts: [{ type: 'text', text: 'Now run the tests', cacheControl: fiveMinutes }] },
  ],
});

const bodyOf = (provider: 'anthropic' | 'openai' | 'openrouter' | 'gemini', call: ChatCall) => {
  const built = adapters[provider].buildRequest(call, creds);
  return { body: JSON.parse(built.http.body) as Record<string, any>, warnings: built.warnings };
};

describe('Cache breakpoints on the way upstream', () => {
  it('reach Anthropic exactly where the caller put them, with their lifetimes', () => {
    const { body, warnings } = bodyOf('anthropic', agentCall());
    assert.deepEqual(warnings, []);
    assert.deepEqual(body.system, [
      { type: 'text', text: 'You are a coding agent.' },
      { type: 'text', text: 'Repository map: …', cache_control: anHour },
    ]);
    assert.equal(body.tools[0].cache_control, undefined);
    assert.deepEqual(body.tools[1].cache_control, anHour);
    // The tool result and the question share one user turn, as two blocks, each keeping its mark.
    assert.deepEqual(body.messages.at(-1), {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'file contents', cache_control: fiveMinutes },
        { type: 'text', text: 'Now run the tests', cache_control: fiveMinutes },
      ],
    });
    assert.equal(body.cache_control, undefined);
  });

  it('keep a marked block whole: never merged with its neighbour, never flattened to a string', () => {
    const call: ChatCall = {
      model: 'm',
      stream: false,
      params: { cacheControl: fiveMinutes },
      messages: [
        { role: 'user', content: 'context', parts: [{ type: 'text', text: 'context', cacheControl: fiveMinutes }] },
        { role: 'user', content: 'question' },
      ],
    };
    const { body } = bodyOf('anthropic', call);
    assert.deepEqual(body.messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'context', cache_control: fiveMinutes },
          { type: 'text', text: 'question' },
        ],
      },
    ]);
    assert.deepEqual(body.cache_control, fiveMinutes, 'the request-wide breakpoint too');
    const single = bodyOf('anthropic', { ...call, params: {}, messages: [call.messages[0]!] }).body;
    assert.deepEqual(single.messages[0].content, [{ type: 'text', text: 'context', cache_control: fiveMinutes }]);
    const unmarked = bodyOf('anthropic', { ...call, params: {}, messages: [{ role: 'user', content: 'a' }] }).body;
    assert.equal(unmarked.messages[0].content, 'a', 'unmarked turns are still sent as plain strings');
  });

  it("keep a tool result's own marked blocks as blocks", () => {
    const call = agentCall();
    call.messages[3] = { role: 'tool', content: 'file contents', toolCallId: 'toolu_1', parts: [{ type: 'text', text: 'file contents', cacheControl: anHour }] };
    const { body } = bodyOf('anthropic', call);
    assert.deepEqual(body.messages.at(-1).content[0], { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'file contents', cache_control: anHour }] });
    assert.deepEqual(bodyOf('openrouter', call).body.messages[3].content, [{ type: 'text', text: 'file contents', cache_control: anHour }]);
    assert.equal(bodyOf('openai', call).body.messages[3].content, 'file contents');
  });

  it('reach OpenRouter on content parts, tools and the request, as OpenRouter takes them', () => {
    const { body, warnings } = bodyOf('openrouter', { ...agentCall(), params: { ...agentCall().params, cacheControl: fiveMinutes } });
    assert.deepEqual(warnings, []);
    assert.deepEqual(body.messages[0].content, [
      { type: 'text', text: 'You are a coding agent.' },
      { type: 'text', text: 'Repository map: …', cache_control: anHour },
    ]);
    assert.deepEqual(body.messages[3], { role: 'tool', tool_call_id: 'toolu_1', content: [{ type: 'text', text: 'file contents', cache_control: fiveMinutes }] });
    assert.deepEqual(body.messages[4].content, [{ type: 'text', text: 'Now run the tests', cache_control: fiveMinutes }]);
    assert.deepEqual(body.tools[1].cache_control, anHour);
    assert.deepEqual(body.cache_control, fiveMinutes);
  });

  it('are not sent to OpenAI or Gemini, and the caller is told', () => {
    for (const provider of ['openai', 'gemini'] as const) {
      const { body, warnings } = bodyOf(provider, agentCall());
      assert.ok(!JSON.stringify(body).includes('cache_control'), `${provider} body carries no marker`);
      assert.deepEqual(warnings, [`cache_control was dropped: ${provider} takes no cache breakpoints (it caches long prompts by itself)`]);
    }
    const openai = bodyOf('openai', agentCall()).body;
    assert.equal(openai.messages[0].content, 'You are a coding agent.\n\nRepository map: …', 'a text-only turn goes back to a string');
  });

  it("pass OpenAI's prompt_cache_key on to OpenAI-compatible upstreams, and warn where it has no meaning", () => {
    const call: ChatCall = { model: 'm', stream: false, messages: [{ role: 'user', content: 'hi' }], params: { openaiExtras: { prompt_cache_key: 'tenant-42' } } };
    assert.equal(bodyOf('openai', call).body.prompt_cache_key, 'tenant-42');
    assert.equal(bodyOf('openrouter', call).body.prompt_cache_key, 'tenant-42');
    assert.deepEqual(bodyOf('anthropic', call).warnings, ['prompt_cache_key is not supported by anthropic and was ignored']);
  });

  it('are taken off remembered turns, which the new request marks afresh', () => {
    const cleaned = withoutCacheMarks(agentCall().messages);
    assert.ok(!JSON.stringify(cleaned).includes('cacheControl'));
    assert.equal(cleaned[0]!.parts, undefined, 'parts that only carried a mark fold back into the text');
    assert.equal(cleaned[0]!.content, 'You are a coding agent.\n\nRepository map: …');
  });
});
