/** The SSE writer: the events of one tick in one write, a promise only when the client's socket is full. */
import assert from 'node:assert/strict';
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Cancellation } from '../../src/core/cancellation.js';
import { SseWriter } from '../../src/http/sse-writer.js';

/** A server whose one response is handed to the test, and a client that reads it only when told. */
async function pair(): Promise<{ res: ServerResponse; read: () => Promise<string>; close: () => void }> {
  let give!: (res: ServerResponse) => void;
  const got = new Promise<ServerResponse>((r) => (give = r));
  const server = createServer((_req, res) => give(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' });
  // A response the server destroys (the cancelled case) is a hang-up here, and expected.
  req.on('error', () => undefined);
  req.end();
  const response = new Promise<import('node:http').IncomingMessage>((r) => req.on('response', r));
  const res = await got;
  return {
    res,
    read: async () => {
      const incoming = await response;
      let text = '';
      for await (const chunk of incoming) text += String(chunk);
      return text;
    },
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('SseWriter', () => {
  it('writes without a promise while the socket takes it, and waits for a slow client otherwise, losing nothing', async () => {
    const { res, read, close } = await pair();
    const sse = new SseWriter(res, new Cancellation());
    sse.start({});
    assert.equal(sse.data('{"n":0}'), undefined, 'an empty socket takes an event at once');
    const big = 'x'.repeat(64 * 1024);
    let waits = 0;
    for (let i = 1; i <= 200; i++) {
      const full = sse.data(`{"n":${i},"pad":"${big}"}`);
      if (full) {
        waits++;
        if (waits === 1) void read().then((text) => (received = text));
        await full;
      }
    }
    let received = '';
    sse.data('[DONE]');
    sse.end();
    while (!received) await new Promise((r) => setTimeout(r, 10));
    assert.ok(waits > 0, 'the client not reading made the writer wait');
    assert.equal(received.match(/^data: /gm)?.length, 202);
    assert.ok(received.endsWith('data: [DONE]\n\n'));
    close();
  });

  it('makes a caller of small events, tick after tick, wait for a client that does not read, and loses none', async () => {
    const { res, read, close } = await pair();
    try {
      const sse = new SseWriter(res, new Cancellation());
      sse.start({});
      const frame = (i: number) => `{"n":${i},"pad":"${'s'.repeat(1000)}"}`;
      // Each event is far below the socket's high-water mark: they are gathered per tick, and the
      // writer must still notice, across ticks, that the client stopped reading.
      let full: Promise<void> | undefined;
      let i = 0;
      for (; i < 20_000 && !full; i++) {
        full = sse.data(frame(i));
        if (!full && i % 8 === 7) await new Promise((r) => setImmediate(r));
      }
      assert.ok(full, 'the writer made its caller wait before 20,000 events');
      const received = read();
      await full;
      for (let more = 0; more < 50; more++, i++) {
        const again = sse.data(frame(i));
        if (again) await again;
        if (more % 8 === 7) await new Promise((r) => setImmediate(r));
      }
      sse.data('[DONE]');
      sse.end();
      const text = await received;
      const numbers = [...text.matchAll(/^data: \{"n":(\d+)/gm)].map((m) => Number(m[1]));
      assert.deepEqual(
        numbers,
        Array.from({ length: i }, (_, n) => n),
      );
      assert.ok(text.endsWith('data: [DONE]\n\n'));
    } finally {
      close();
    }
  });

  it('hands the events of one tick to the response as one write, and end() sends what is still gathered', async () => {
    const { res, read, close } = await pair();
    const writes: string[] = [];
    const write = res.write.bind(res) as (chunk: string) => boolean;
    res.write = ((chunk: string) => {
      writes.push(chunk);
      return write(chunk);
    }) as typeof res.write;
    const sse = new SseWriter(res, new Cancellation());
    sse.start({});
    for (let i = 0; i < 5; i++) assert.equal(sse.data(`{"n":${i}}`), undefined);
    assert.equal(writes.length, 0, 'nothing is written before the tick ends');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(writes, [[0, 1, 2, 3, 4].map((i) => `data: {"n":${i}}\n\n`).join('')]);
    sse.data('{"n":5}');
    sse.data('[DONE]');
    sse.end();
    assert.equal(writes.length, 1, 'the last events went with the end of the response');
    assert.equal(await read(), [0, 1, 2, 3, 4, 5].map((i) => `data: {"n":${i}}\n\n`).join('') + 'data: [DONE]\n\n');
    await new Promise((r) => setImmediate(r));
    assert.equal(writes.length, 1, 'the flush scheduled for the tick found nothing left to write');
    close();
  });

  it('writes a list of named events in order, waiting mid-list for a slow client', async () => {
    const { res, read, close } = await pair();
    const sse = new SseWriter(res, new Cancellation());
    sse.start({});
    const list = Array.from({ length: 100 }, (_, n) => ({ event: 'content_block_delta', data: { n, pad: 'z'.repeat(64 * 1024) } }));
    const full = sse.events(list);
    assert.ok(full, 'the socket filled up part-way through the list');
    const text = read();
    await full;
    sse.end();
    const numbers = [...(await text).matchAll(/^data: \{"n":(\d+)/gm)].map((m) => Number(m[1]));
    assert.deepEqual(
      numbers,
      list.map((e) => e.data.n),
    );
    assert.equal(sse.events([{ event: 'ping', data: {} }]), undefined, 'after the end, writes are dropped, not awaited');
    close();
  });

  it('a cancelled request ends the wait for a client that stopped reading, and later writes are dropped', async () => {
    const { res, close } = await pair();
    const signal = new Cancellation();
    const sse = new SseWriter(res, signal);
    sse.start({});
    let full: Promise<void> | undefined;
    for (let i = 0; i < 1_000 && !full; i++) full = sse.data('y'.repeat(64 * 1024));
    assert.ok(full, 'the socket filled up');
    signal.abort(new DOMException('client gone', 'AbortError'));
    await full;
    assert.ok(sse.closed);
    assert.equal(sse.data('after'), undefined);
    close();
  });
});
