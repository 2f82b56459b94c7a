/**
 * One contract, every adapter: the same cases (a text answer, a text stream, a tool-call stream, an
 * in-band error, zero usage, a cut stream), each from a fixture in that provider's documented wire
 * format (test/providers/fixtures). A new adapter joins the table and must pass them all.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../src/providers/errors.js';
import { createAdapters } from '../../src/providers/registry.js';
import { SseDecoder } from '../../src/providers/sse-decoder.js';
import type { ChatCall, ProviderAdapter, ProviderId, StreamPart } from '../../src/providers/types.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const adapters = createAdapters({ anthropicDefaultMaxTokens: 1024, openRouterAppUrl: 'https://example.com', openRouterAppTitle: 'contract' });

/** Each adapter, and the wire format its fixtures are written in (OpenRouter speaks OpenAI's). */
const TABLE: Array<{ provider: ProviderId; format: 'openai' | 'anthropic' | 'gemini'; model: string }> = [
  { provider: 'openai', format: 'openai', model: 'gpt-4o-mini' },
  { provider: 'openrouter', format: 'openai', model: 'meta-llama/llama-3.3-70b-instruct:free' },
  { provider: 'anthropic', format: 'anthropic', model: 'claude-sonnet-4-5' },
  { provider: 'gemini', format: 'gemini', model: 'gemini-2.5-flash' },
];

const call = (model: string, stream: boolean): ChatCall => ({ model, messages: [{ role: 'user', content: 'Hello' }], params: {}, stream });

/** The SSE text's events through the adapter's decoder: the parts, whether it finished, and what it threw. */
function decode(adapter: ProviderAdapter, model: string, sse: string, dropLastEvents = 0) {
  const events = [...new SseDecoder().push(sse)];
  const kept = events.slice(0, events.length - dropLastEvents);
  const decoder = adapter.createStreamDecoder(call(model, true));
  const parts: StreamPart[] = [];
  let thrown: unknown;
  try {
    for (const event of kept) parts.push(...decoder.decode(event));
  } catch (err) {
    thrown = err;
  }
  const text = parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');
  const finish = parts.find((p) => p.type === 'finish');
  const usage = parts.filter((p) => p.type === 'usage').at(-1);
  return { parts, text, finish: finish?.type === 'finish' ? finish.finishReason : undefined, usage: usage?.type === 'usage' ? usage.usage : undefined, finished: decoder.finished, thrown };
}

for (const { provider, format, model } of TABLE) {
  describe(`the adapter contract: ${provider}`, () => {
    const adapter = adapters[provider];
    const json = JSON.parse(fixture(`${format}.json`)) as { text: unknown; zeroUsage: unknown };

    it('reads a text answer: its text, finish reason and usage', () => {
      const result = adapter.parseResponse(json.text, call(model, false));
      assert.equal(result.text, 'Hello there.');
      assert.equal(result.finishReason, 'stop');
      assert.deepEqual(result.usage, { promptTokens: 9, completionTokens: 3, totalTokens: 12 });
    });

    it('reads zero usage as zero, not as missing or NaN', () => {
      const result = adapter.parseResponse(json.zeroUsage, call(model, false));
      assert.equal(result.text, '');
      assert.deepEqual(result.usage, { promptTokens: 0, completionTokens: 0, totalTokens: 0 });
    });

    it('streams text: the pieces in order, then the finish and the usage, and knows it finished', () => {
      const out = decode(adapter, model, fixture(`${format}-text.sse`));
      assert.equal(out.thrown, undefined);
      assert.equal(out.text, 'Hello there.');
      assert.equal(out.finish, 'stop');
      assert.deepEqual(out.usage, { promptTokens: 9, completionTokens: 3, totalTokens: 12 });
      assert.equal(out.finished, true);
      assert.ok(
        out.parts.some((p) => p.type === 'model'),
        'the model the upstream names',
      );
    });

    it('streams a tool call: its id and name first, its arguments in order, finishing as tool_calls', () => {
      const out = decode(adapter, model, fixture(`${format}-tool.sse`));
      assert.equal(out.thrown, undefined);
      const deltas = out.parts.filter((p): p is Extract<StreamPart, { type: 'tool-call-delta' }> => p.type === 'tool-call-delta');
      assert.ok(deltas.length > 0);
      assert.equal(deltas[0]!.name, 'get_weather');
      assert.ok(deltas[0]!.id, 'a call id (made up where the provider gives none)');
      assert.ok(deltas.every((d) => d.index === 0));
      assert.deepEqual(JSON.parse(deltas.map((d) => d.argumentsDelta).join('')), { city: 'Lima' });
      assert.equal(out.finish, 'tool_calls');
      assert.equal(out.finished, true);
    });

    it('turns an in-band error into an UpstreamError, after the text that came before it', () => {
      const out = decode(adapter, model, fixture(`${format}-error.sse`));
      assert.ok(out.thrown instanceof UpstreamError, String(out.thrown));
      assert.equal((out.thrown as UpstreamError).provider, provider);
      assert.match((out.thrown as UpstreamError).message, /error|overloaded/i, "the provider's own words are kept (for the operator's logs)");
      assert.equal(out.text, 'Hel', 'what came before the error is still delivered');
      assert.equal(out.finished, false);
    });

    it('knows a stream cut before its end is not finished', () => {
      const out = decode(adapter, model, fixture(`${format}-text.sse`), 1);
      assert.equal(out.thrown, undefined);
      assert.equal(out.finished, false);
    });
  });
}
