import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAdapters } from '../../src/providers/registry.js';
import { SseDecoder } from '../../src/providers/sse-decoder.js';
import type { ChatCall, ProviderId, StreamPart, Usage } from '../../src/providers/types.js';

const adapters = createAdapters({ anthropicDefaultMaxTokens: 4096, openRouterAppUrl: 'https://x.example', openRouterAppTitle: 'x' });
const call: ChatCall = { model: 'm', messages: [{ role: 'user', content: 'hi' }], params: {}, stream: true };

function streamUsage(provider: ProviderId, events: unknown[]): Usage | undefined {
  const decoder = adapters[provider].createStreamDecoder(call);
  const sse = new SseDecoder();
  const text = events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`).join('');
  const parts: StreamPart[] = [...sse.push(text), ...sse.end()].flatMap((e) => decoder.decode(e));
  return parts.filter((p): p is Extract<StreamPart, { type: 'usage' }> => p.type === 'usage').at(-1)?.usage;
}

const anthropicBody = (usage: Record<string, unknown>) => ({ id: 'msg_1', type: 'message', model: 'claude', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage });
const openAIBody = (usage: Record<string, unknown>) => ({ id: 'c', model: 'gpt', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage });

describe('Cached prompt tokens, read from each wire format', () => {
  it('Anthropic: reads and writes are added to the prompt and kept apart, with the hour-long writes', () => {
    const usage = adapters.anthropic.parseResponse(
      anthropicBody({
        input_tokens: 50,
        output_tokens: 7,
        cache_read_input_tokens: 2000,
        cache_creation_input_tokens: 300,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
      }),
      call,
    ).usage;
    assert.deepEqual(usage, { promptTokens: 2350, completionTokens: 7, totalTokens: 2357, cacheReadTokens: 2000, cacheWriteTokens: 300, cacheWrite1hTokens: 200 });
  });

  it("Anthropic streams: message_start's counts, restated by message_delta's cumulative ones", () => {
    const start = { type: 'message_start', message: { id: 'm', model: 'claude', usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } } };
    const delta = { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4, input_tokens: 10, cache_read_input_tokens: 1200, cache_creation_input_tokens: 0 } };
    assert.deepEqual(streamUsage('anthropic', [start, delta, { type: 'message_stop' }]), { promptTokens: 1210, completionTokens: 4, totalTokens: 1214, cacheReadTokens: 1200 });
    // A delta that gives only its output tokens keeps message_start's counts.
    const startCached = { ...start, message: { ...start.message, usage: { input_tokens: 5, cache_creation_input_tokens: 2048 } } };
    const plainDelta = { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } };
    assert.deepEqual(streamUsage('anthropic', [startCached, plainDelta]), { promptTokens: 2053, completionTokens: 3, totalTokens: 2056, cacheWriteTokens: 2048 });
  });

  it("OpenAI and OpenRouter: prompt_tokens_details' cached (and written) tokens are part of prompt_tokens", () => {
    const details = { cached_tokens: 1024, audio_tokens: 0 };
    assert.deepEqual(adapters.openai.parseResponse(openAIBody({ prompt_tokens: 1500, completion_tokens: 9, total_tokens: 1509, prompt_tokens_details: details }), call).usage, {
      promptTokens: 1500,
      completionTokens: 9,
      totalTokens: 1509,
      cacheReadTokens: 1024,
    });
    const chunk = { id: 'c', model: 'x', choices: [], usage: { prompt_tokens: 3000, completion_tokens: 2, total_tokens: 3002, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 2900 } } };
    assert.deepEqual(streamUsage('openrouter', [chunk, '[DONE]']), { promptTokens: 3000, completionTokens: 2, totalTokens: 3002, cacheWriteTokens: 2900 });
  });

  it('Gemini: cachedContentTokenCount is part of promptTokenCount, in answers and on the last stream element', () => {
    const element = (usageMetadata: Record<string, unknown>) => ({ candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP' }], usageMetadata });
    const usage = { promptTokenCount: 4096, candidatesTokenCount: 3, totalTokenCount: 4099, cachedContentTokenCount: 3968 };
    assert.deepEqual(adapters.gemini.parseResponse(element(usage), call).usage, { promptTokens: 4096, completionTokens: 3, totalTokens: 4099, cacheReadTokens: 3968 });
    assert.deepEqual(streamUsage('gemini', [element({ promptTokenCount: 4096, candidatesTokenCount: 1 }), element(usage)]), {
      promptTokens: 4096,
      completionTokens: 3,
      totalTokens: 4099,
      cacheReadTokens: 3968,
    });
  });

  it('hostile counts are never trusted beyond the prompt: negatives, fractions, strings and excess are cut down', () => {
    const read = (d: unknown) => adapters.openai.parseResponse(openAIBody({ prompt_tokens: 100, completion_tokens: 1, prompt_tokens_details: d }), call).usage;
    assert.equal(read({ cached_tokens: -5 })?.cacheReadTokens, undefined);
    assert.equal(read({ cached_tokens: '50' })?.cacheReadTokens, undefined);
    assert.equal(read({ cached_tokens: 12.7 })?.cacheReadTokens, 12);
    assert.equal(read({ cached_tokens: 10_000 })?.cacheReadTokens, 100);
    assert.deepEqual(read({ cached_tokens: 90, cache_write_tokens: 90 }), { promptTokens: 100, completionTokens: 1, totalTokens: 101, cacheReadTokens: 90, cacheWriteTokens: 10 });
    // A breakdown that is not an object loses the cache counts, not the answer.
    assert.deepEqual(read('lots'), { promptTokens: 100, completionTokens: 1, totalTokens: 101 });
  });
});
