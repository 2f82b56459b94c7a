/** The executor's stream reader, against scripted response bodies: how a stream's bytes become batches, and how it ends. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cancellation } from '../../src/core/cancellation.js';
import { Executor, type StreamSuccess } from '../../src/gateway/executor.js';
import type { TransportResponse } from '../../src/providers/http-transport.js';
import { createAdapters } from '../../src/providers/registry.js';
import type { StreamPart } from '../../src/providers/types.js';

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** A response body that hands out the given packets, one per read, and records how it was left. */
function scriptedBody(packets: string[]) {
  const seen = { returned: false, dumped: false };
  let next = 0;
  const body: TransportResponse['body'] = {
    [Symbol.asyncIterator]: () => ({
      next: async () => (next < packets.length ? { value: new TextEncoder().encode(packets[next++]!), done: false } : { value: undefined, done: true }),
      return: async () => {
        seen.returned = next < packets.length;
        return { value: undefined, done: true };
      },
    }),
    text: async () => packets.join(''),
    dump: async () => void (seen.dumped = true),
  };
  return { body, seen };
}

async function stream(packets: string[]): Promise<{ success: StreamSuccess; seen: { returned: boolean; dumped: boolean } }> {
  const { body, seen } = scriptedBody(packets);
  const executor = new Executor({
    adapters: createAdapters({ anthropicDefaultMaxTokens: 1024, openRouterAppUrl: 'https://example.test', openRouterAppTitle: 'test' }),
    credentials: { openai: { apiKey: 'k', baseUrl: 'http://upstream.invalid/v1' } },
    transport: { send: async () => ({ status: 200, headers: {}, body }), close: async () => undefined },
    now: () => 0,
    timeouts: { firstByteMs: 10_000, responseMs: 10_000 },
  });
  const success = await executor.stream([{ provider: 'openai', model: 'gpt-4o-mini' }], { messages: [{ role: 'user', content: 'q' }], params: {}, stream: true }, new Cancellation());
  return { success, seen };
}

const texts = (batches: StreamPart[][]) =>
  batches.map((b) =>
    b
      .filter((p) => p.type === 'text-delta')
      .map((p) => (p as { text: string }).text)
      .join('|'),
  );

describe('Executor streams', () => {
  it('hands on one batch per upstream read, with every event that read carried, and ends after [DONE]', async () => {
    const { success, seen } = await stream([chunk({ role: 'assistant', content: 'He' }), chunk({ content: 'l' }) + chunk({ content: 'lo' }), chunk({}, 'stop') + 'data: [DONE]\n\n']);
    const batches: StreamPart[][] = [];
    for await (const batch of success.rest) batches.push(batch);
    assert.deepEqual(texts([success.head]), ['He']);
    assert.deepEqual(texts(batches), ['l|lo', '']);
    assert.deepEqual(batches[1], [{ type: 'finish', finishReason: 'stop' }]);
    assert.deepEqual(seen, { returned: false, dumped: false });
  });

  it('delivers what was decoded before an in-band error, then raises the error', async () => {
    const { success, seen } = await stream([
      chunk({ content: 'He' }),
      chunk({ content: 'llo' }) + `data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })}\n\n` + chunk({ content: 'never' }),
    ]);
    assert.deepEqual(texts([(await success.rest.next()).value as StreamPart[]]), ['llo']);
    await assert.rejects(success.rest.next(), /overloaded/);
    // The upstream never finished its answer: what it may still send is dropped, not read.
    assert.equal(seen.dumped, true);
    assert.deepEqual(await success.rest.next(), { value: undefined, done: true });
  });

  it('a stream that stops before its end marker is a dropped connection', async () => {
    const { success, seen } = await stream([chunk({ content: 'He' }), chunk({ content: 'llo' })]);
    assert.equal(((await success.rest.next()).value as StreamPart[]).length, 1);
    await assert.rejects(success.rest.next(), (e: { kind?: string; message?: string }) => e.kind === 'connection' && /ended before it was complete/.test(e.message ?? ''));
    assert.equal(seen.dumped, true);
  });

  it('a reader that stops early releases the upstream: the unread body is given up', async () => {
    const { success, seen } = await stream([chunk({ content: 'He' }), chunk({ content: 'l' }), chunk({ content: 'lo' }), 'data: [DONE]\n\n']);
    await success.rest.next();
    await success.rest.return();
    assert.deepEqual(seen, { returned: true, dumped: true });
    assert.deepEqual(await success.rest.next(), { value: undefined, done: true });
  });
});
