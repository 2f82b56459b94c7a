import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseDecoder, type SseEvent } from '../../src/providers/sse-decoder.js';

/** Feeds `bytes` split at every boundary pair, and checks each split decodes the same. */
function decodeSplits(text: string): SseEvent[][] {
  const bytes = new TextEncoder().encode(text);
  const results: SseEvent[][] = [];
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j += Math.max(1, Math.floor(bytes.length / 7))) {
      const d = new SseDecoder();
      const events = [...d.push(bytes.slice(0, i)), ...d.push(bytes.slice(i, j)), ...d.push(bytes.slice(j)), ...d.end()];
      results.push(events);
    }
  }
  return results;
}

describe('SseDecoder', () => {
  it('decodes data events, skipping comment lines such as OpenRouter keep-alives', () => {
    const d = new SseDecoder();
    const events = [...d.push(': OPENROUTER PROCESSING\n\ndata: {"a":1}\n\ndata: [DONE]\n\n'), ...d.end()];
    assert.deepEqual(events, [{ data: '{"a":1}' }, { data: '[DONE]' }]);
  });

  it('gives the same events however the bytes are split (LF, CRLF, CR, multi-byte UTF-8)', () => {
    const text = 'event: content_block_delta\r\ndata: {"t":"héllo 👋"}\r\n\r\n: ping\rdata: line1\rdata: line2\r\rdata: x\n\n';
    const expected: SseEvent[] = [{ event: 'content_block_delta', data: '{"t":"héllo 👋"}' }, { data: 'line1\nline2' }, { data: 'x' }];
    for (const events of decodeSplits(text)) assert.deepEqual(events, expected);
  });

  it('gives the same events however an LF-only stream is split, as every provider sends it', () => {
    const text = 'data: {"t":"héllo 👋"}\n\n: keep-alive\n\nevent: message_stop\ndata: a\ndata: b\n\ndata: [DONE]\n\n';
    const expected: SseEvent[] = [{ data: '{"t":"héllo 👋"}' }, { event: 'message_stop', data: 'a\nb' }, { data: '[DONE]' }];
    for (const events of decodeSplits(text)) assert.deepEqual(events, expected);
  });

  it('drops one byte order mark at the start of the stream, wherever the bytes split, and keeps a later one', () => {
    const text = '\ufeffdata: x\ufeff\n\n';
    for (const events of decodeSplits(text)) assert.deepEqual(events, [{ data: 'x\ufeff' }]);
    // Only the first is a byte order mark: a second one starts a field named '\ufeffdata', which is ignored.
    for (const events of decodeSplits('\ufeff\ufeffdata: x\n\n')) assert.deepEqual(events, []);
  });

  it('joins multi-line data with newlines and strips exactly one leading space', () => {
    const d = new SseDecoder();
    assert.deepEqual([...d.push('data:a\ndata:  b\n\n')], [{ data: 'a\n b' }]);
  });

  it('flushes a final event that lacks its blank line at end of stream', () => {
    const d = new SseDecoder();
    assert.deepEqual(d.push('data: last'), []);
    assert.deepEqual(d.end(), [{ data: 'last' }]);
  });

  it('drops an event name with no data, and ignores id/retry fields', () => {
    const d = new SseDecoder();
    assert.deepEqual([...d.push('event: ping\n\nid: 7\nretry: 10\ndata: ok\n\n')], [{ data: 'ok' }]);
  });
});
