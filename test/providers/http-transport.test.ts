/**
 * The upstream transport on undici's dispatcher API: whole and chunked bodies, backpressure,
 * cancellation at every stage, per-call timeouts, and connections kept or freed as they should be.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Cancellation } from '../../src/core/cancellation.js';
import { createUndiciTransport, isTimeoutError, type Transport } from '../../src/providers/http-transport.js';

const MB = 1024 * 1024;

describe('undici transport', () => {
  let server: Server;
  let base: string;
  let transport: Transport;
  const sockets = new Set<Socket>();
  const closedEarly: string[] = [];
  let received: { method: string | undefined; url: string | undefined; body: string; headers: IncomingMessage['headers'] } | undefined;

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'x-extra': 'yes' }).end('{"ok":true}'),
    '/big': (_req, res) => {
      // 4 MiB in 64 KiB writes, honouring backpressure: a paused reader pauses the writer.
      const piece = Buffer.alloc(64 * 1024, 'a');
      let left = 64;
      res.writeHead(200);
      const write = () => {
        while (left > 0) {
          left--;
          if (!res.write(piece)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
    },
    '/slow-head': () => undefined, // never answers
    '/trickle': (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      const timer = setInterval(() => res.write('data: more\n\n'), 20);
      res.on('close', () => {
        clearInterval(timer);
        if (!res.writableFinished) closedEarly.push(req.url ?? '');
      });
    },
    '/error': (_req, res) => res.writeHead(503, { 'retry-after': '2' }).end('{"error":{"message":"overloaded"}}'),
    '/small': (_req, res) => res.writeHead(200).end('x'.repeat(1000)),
  };

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received = { method: req.method, url: req.url, body, headers: req.headers };
        (routes[(req.url ?? '').split('?')[0]!] ?? routes['/json']!)(req, res);
      });
    });
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    transport = createUndiciTransport({ connectMs: 1000, firstByteMs: 5000, idleMs: 5000 });
  });
  after(async () => {
    await transport.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends method, path, query, headers and body, and reads the answer whole', async () => {
    const res = await transport.send({ url: `${base}/json?alt=sse&key=1`, headers: { 'content-type': 'application/json', 'x-api-key': 'k' }, body: '{"q":1}' }, { signal: new Cancellation() });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-extra'], 'yes');
    assert.equal(await res.body.text(), '{"ok":true}');
    assert.deepEqual([received?.method, received?.url, received?.body, received?.headers['x-api-key']], ['POST', '/json?alt=sse&key=1', '{"q":1}', 'k']);
    const get = await transport.send({ method: 'GET', url: `${base}/json`, headers: {} }, { signal: new Cancellation() });
    assert.equal(await get.body.text(), '{"ok":true}');
    assert.equal(received?.method, 'GET');
  });

  it('reads a large body chunk by chunk with a slow reader, losing nothing (the socket pauses and resumes)', async () => {
    const res = await transport.send({ method: 'GET', url: `${base}/big`, headers: {} }, { signal: new Cancellation() });
    let bytes = 0;
    let reads = 0;
    for await (const chunk of res.body) {
      bytes += chunk.length;
      if (++reads % 8 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(bytes, 4 * MB);
    // And whole, in one piece.
    const again = await transport.send({ method: 'GET', url: `${base}/big`, headers: {} }, { signal: new Cancellation() });
    assert.equal((await again.body.text()).length, 4 * MB);
  });

  it('answers error statuses like any other, with their headers and body', async () => {
    const res = await transport.send({ url: `${base}/error`, headers: {}, body: '{}' }, { signal: new Cancellation() });
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '2');
    assert.match(await res.body.text(), /overloaded/);
  });

  it('a reader that stops early closes the upstream response (the connection is not left half read)', async () => {
    const res = await transport.send({ method: 'GET', url: `${base}/trickle`, headers: {} }, { signal: new Cancellation() });
    for await (const chunk of res.body) {
      assert.match(Buffer.from(chunk).toString(), /data: 1/);
      break;
    }
    await waitFor(() => closedEarly.includes('/trickle'));
    // The transport still works afterwards.
    assert.equal((await transport.send({ method: 'GET', url: `${base}/json`, headers: {} }, { signal: new Cancellation() })).status, 200);
  });

  it('cancellation: before sending, while waiting for the head, and in the middle of the body', async () => {
    const pre = new Cancellation();
    pre.abort(new DOMException('gone', 'AbortError'));
    await assert.rejects(transport.send({ url: `${base}/json`, headers: {}, body: '{}' }, { signal: pre }), { name: 'AbortError' });

    const waiting = new Cancellation();
    const pending = transport.send({ url: `${base}/slow-head`, headers: {}, body: '{}' }, { signal: waiting });
    setTimeout(() => waiting.abort(new DOMException('deadline', 'TimeoutError')), 30);
    await assert.rejects(pending, { name: 'TimeoutError' });

    const reading = new Cancellation();
    const res = await transport.send({ method: 'GET', url: `${base}/trickle?mid`, headers: {} }, { signal: reading });
    const chunks: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of res.body) {
          chunks.push(Buffer.from(chunk).toString());
          if (chunks.length === 2) reading.abort(new DOMException('client left', 'AbortError'));
        }
      })(),
      { name: 'AbortError' },
    );
    await waitFor(() => closedEarly.includes('/trickle?mid'));
  });

  it('a per-call first-byte timeout fails with a timeout error', async () => {
    const started = Date.now();
    await assert.rejects(transport.send({ url: `${base}/slow-head`, headers: {}, body: '{}' }, { signal: new Cancellation(), headersTimeoutMs: 100 }), (err: unknown) => isTimeoutError(err));
    assert.ok(Date.now() - started < 2000);
  });

  it('dump() keeps the connection for a small body and closes it for a large one', async () => {
    server.closeAllConnections();
    await waitFor(() => sockets.size === 0);
    let closed = 0;
    server.on('connection', (s: Socket) => s.on('close', () => closed++));
    for (let i = 0; i < 3; i++) {
      const res = await transport.send({ method: 'GET', url: `${base}/small`, headers: {} }, { signal: new Cancellation() });
      await res.body.dump();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, 0, 'small dumped answers leave their connections open');
    assert.ok(sockets.size >= 1);
    const big = await transport.send({ method: 'GET', url: `${base}/big`, headers: {} }, { signal: new Cancellation() });
    await big.body.dump();
    await waitFor(() => closed === 1);
    const next = await transport.send({ method: 'GET', url: `${base}/json`, headers: {} }, { signal: new Cancellation() });
    assert.equal(await next.body.text(), '{"ok":true}');
  });
});

async function waitFor(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
