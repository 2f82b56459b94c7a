/** The relay between a stream's source and the edge: what it gathers, and how each ending settles the request. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cancellation, timeoutReason } from '../../src/core/cancellation.js';
import type { PartBatches } from '../../src/gateway/executor.js';
import { StreamRelay, type RelayedAnswer, type StreamSource, type StreamSummary } from '../../src/gateway/stream-relay.js';
import { UpstreamError } from '../../src/providers/errors.js';
import type { StreamPart } from '../../src/providers/types.js';

const text = (t: string): StreamPart => ({ type: 'text-delta', text: t });

/** A source whose batches come from a list; `fail` is thrown after them instead of ending. */
function source(batches: StreamPart[][], fail?: Error) {
  const log: string[] = [];
  let next = 0;
  const rest: PartBatches = {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (next < batches.length) return { value: batches[next++]!, done: false };
      if (fail) throw fail;
      return { value: undefined, done: true };
    },
    async return() {
      log.push('rest.return');
      return { value: undefined, done: true };
    },
  };
  const src: StreamSource = {
    target: { provider: 'openai', model: 'gpt-4o-mini' },
    attempts: [{ provider: 'openai', model: 'gpt-4o-mini', status: 'ok', latency_ms: 5 }],
    warnings: [],
    head: [{ type: 'model', model: 'gpt-4o-mini-2024' }, text('He')],
    rest,
    settle: { ok: () => log.push('settle.ok'), failed: (e) => log.push(`settle.failed ${e.message}`) },
  };
  return { src, log };
}

const summaryOf = (a: RelayedAnswer): StreamSummary => ({ usage: a.usage, costUsd: 0.5, latencyMs: 7, finishReason: a.finishReason });

function outcomes(log: string[], completed: (answer: RelayedAnswer) => Promise<StreamSummary> = async (a) => (log.push(`completed ${a.text}`), summaryOf(a))) {
  return {
    completed,
    failed: (err: unknown) => log.push(`failed ${(err as Error).message}`),
    abandoned: () => log.push('abandoned'),
  };
}

async function drain(relay: StreamRelay): Promise<StreamPart[][]> {
  const seen: StreamPart[][] = [];
  for await (const batch of relay) seen.push(batch);
  return seen;
}

describe('StreamRelay', () => {
  it('hands on the head, then each batch, and completes with the whole text before it ends', async () => {
    const { src, log } = source([[text('llo')], [text('!'), { type: 'finish', finishReason: 'stop' }, { type: 'usage', usage: { promptTokens: 1, completionTokens: 3, totalTokens: 4 } }]]);
    const relay = new StreamRelay(src, new Cancellation(), outcomes(log));
    const seen = await drain(relay);
    assert.equal(seen.length, 3);
    assert.deepEqual(seen[0], src.head);
    assert.deepEqual(log, ['settle.ok', 'completed Hello!', 'rest.return']);
    // The one way its end is told: the summary the service settled it with, from what the relay gathered.
    const summary = await relay.summary;
    assert.equal(summary.finishReason, 'stop');
    assert.deepEqual(summary.usage, { promptTokens: 1, completionTokens: 3, totalTokens: 4 });
    assert.equal(summary.costUsd, 0.5);
    // Done stays done, and a late return() does not count as a caller leaving.
    assert.deepEqual(await relay.next(), { value: undefined, done: true });
    await relay.return();
    assert.deepEqual(log, ['settle.ok', 'completed Hello!', 'rest.return']);
  });

  it('does not end before the answer is stored', async () => {
    const { src, log } = source([[text('llo')]]);
    let store!: () => void;
    const relay = new StreamRelay(
      src,
      new Cancellation(),
      outcomes(log, (a) => new Promise<StreamSummary>((r) => (store = () => r(summaryOf(a))))),
    );
    await relay.next();
    await relay.next();
    let ended = false;
    const end = relay.next().then((r) => (ended = r.done === true));
    await new Promise((r) => setImmediate(r));
    assert.equal(ended, false);
    store();
    await end;
    assert.equal(ended, true);
  });

  it('a failure part-way marks the attempt, tells health, settles as failed and releases the upstream', async () => {
    const err = new UpstreamError({ provider: 'openai', kind: 'connection', message: 'socket hang up' });
    const { src, log } = source([[text('llo')]], err);
    let ended: RelayedAnswer | undefined;
    const relay = new StreamRelay(src, new Cancellation(), {
      ...outcomes(log),
      failed: (e: unknown, relayed: RelayedAnswer) => {
        ended = relayed;
        log.push(`failed ${(e as Error).message}`);
      },
    });
    await assert.rejects(drain(relay), (e) => e === err);
    // The edge always returns its reader at the end: after a failure that is not a departure.
    await relay.return();
    assert.deepEqual(log, ['settle.failed socket hang up', `failed ${err.message}`, 'rest.return']);
    // The attempts as the stream ended them, told with its end; the source's own list is left as it was.
    assert.equal(ended?.attempts[0]!.status, 'error');
    assert.match(ended?.attempts[0]!.error ?? '', /^failed mid-stream: socket hang up/);
    assert.equal(ended?.attempts[0]!.reason, err.reason);
    assert.equal(src.attempts[0]!.status, 'ok');
  });

  it('a failure after the request was cancelled is the request deadline, and says nothing of health', async () => {
    const signal = new Cancellation();
    signal.abort(timeoutReason('deadline'));
    const { src, log } = source([], new UpstreamError({ provider: 'openai', kind: 'connection', message: 'aborted' }));
    const relay = new StreamRelay(src, signal, outcomes(log));
    await relay.next();
    await assert.rejects(relay.next(), (e: { status?: number }) => e.status === 504);
    assert.equal(log.length, 2);
    assert.match(log[0]!, /^failed The request deadline passed\./);
    assert.equal(log[1], 'rest.return');
  });

  it('an answer that cannot be stored fails the stream instead of ending it', async () => {
    const { src, log } = source([]);
    const relay = new StreamRelay(
      src,
      new Cancellation(),
      outcomes(log, async () => Promise.reject(new Error('disk full'))),
    );
    await assert.rejects(drain(relay), /disk full/);
    await assert.rejects(relay.summary, /disk full/);
    await relay.return();
    assert.deepEqual(log, ['settle.ok', 'failed disk full', 'rest.return']);
  });

  it('an edge that stops reading settles the request as abandoned, once, and releases the upstream', async () => {
    const { src, log } = source([[text('llo')], [text('!')]]);
    const relay = new StreamRelay(src, new Cancellation(), outcomes(log));
    await relay.next();
    await relay.next();
    await relay.return();
    await relay.return();
    assert.deepEqual(log, ['abandoned', 'rest.return']);
    await assert.rejects(relay.summary, /went away/);
    assert.deepEqual(await relay.next(), { value: undefined, done: true });
  });

  it('an edge that gives up before reading anything still settles the request and releases the upstream', async () => {
    const { src, log } = source([[text('llo')]]);
    const relay = new StreamRelay(src, new Cancellation(), outcomes(log));
    await relay.return();
    assert.deepEqual(log, ['abandoned', 'rest.return']);
  });
});
