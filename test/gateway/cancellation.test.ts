import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cancellation, timeoutReason } from '../../src/core/cancellation.js';

describe('Cancellation', () => {
  it('runs each listener once, with the reason set, and ignores a second abort', () => {
    const c = new Cancellation();
    const seen: unknown[] = [];
    const removed = () => seen.push('removed');
    c.addEventListener('abort', () => seen.push(c.reason));
    c.addEventListener('abort', removed);
    c.removeEventListener('abort', removed);
    const reason = timeoutReason('late');
    c.abort(reason);
    c.abort(new Error('again'));
    assert.equal(c.aborted, true);
    assert.deepEqual(seen, [reason]);
    assert.equal((c.reason as DOMException).name, 'TimeoutError');
  });

  it('a linked child follows its parent until unlinked, and starts aborted under an aborted parent', () => {
    const parent = new Cancellation();
    const a = Cancellation.linkedTo(parent);
    const b = Cancellation.linkedTo(parent);
    b.unlink();
    parent.abort('stop');
    assert.equal(a.cancellation.aborted, true);
    assert.equal(a.cancellation.reason, 'stop');
    assert.equal(b.cancellation.aborted, false);
    assert.equal(Cancellation.linkedTo(parent).cancellation.aborted, true);
  });

  it('cancels an undici request like an AbortSignal would', async () => {
    const { createServer } = await import('node:http');
    const { request } = await import('undici');
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const c = new Cancellation();
    const pending = request(`http://127.0.0.1:${port}/`, { signal: c as unknown as AbortSignal });
    setTimeout(() => c.abort(timeoutReason('gave up')), 50);
    await assert.rejects(pending);
    server.closeAllConnections();
    server.close();
  });
});
