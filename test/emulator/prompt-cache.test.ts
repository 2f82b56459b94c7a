import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmulatedPromptCache } from '../../src/emulator/prompt-cache.js';

describe('The emulated prompt caches', () => {
  it('Anthropic: the first request writes up to its last mark, the next reads the longest cached mark and writes the rest', () => {
    let now = 1_000_000;
    const cache = new EmulatedPromptCache(() => now);
    const system = { key: 'sys', tokens: 1500, ttl: '5m' as const };
    assert.deepEqual(cache.use('anthropic', { kind: 'explicit', breakpoints: [system] }), { read: 0, write: 1500, write1h: 0 });
    const turn = { key: 'turn', tokens: 1700, ttl: '1h' as const };
    assert.deepEqual(cache.use('anthropic', { kind: 'explicit', breakpoints: [system, turn] }), { read: 1500, write: 200, write1h: 200 });
    // Each stretch is written for its own mark's lifetime.
    const hourLong = { key: 'sys-1h', tokens: 1000, ttl: '1h' as const };
    assert.deepEqual(cache.use('anthropic', { kind: 'explicit', breakpoints: [hourLong, { key: 'q', tokens: 1300, ttl: '5m' }] }), { read: 0, write: 1300, write1h: 1000 });
    assert.deepEqual(cache.use('anthropic', { kind: 'explicit', breakpoints: [system, turn] }), { read: 1700, write: 0, write1h: 0 });
    // Another provider holds its own cache; entries expire after their lifetime.
    assert.deepEqual(cache.use('openrouter', { kind: 'explicit', breakpoints: [system] }), { read: 0, write: 1500, write1h: 0 });
    now += 6 * 60_000;
    assert.deepEqual(cache.use('anthropic', { kind: 'explicit', breakpoints: [system, turn] }), { read: 1700, write: 0, write1h: 0 }, 'the hour-long mark outlives the five-minute one');
    now += 61 * 60_000;
    assert.deepEqual(cache.use('anthropic', { kind: 'explicit', breakpoints: [system] }), { read: 0, write: 1500, write1h: 0 });
  });

  it('OpenAI and Gemini: prompts of 1,024 tokens or more, read back by their longest prefix seen before, in steps of 128', () => {
    const cache = new EmulatedPromptCache(() => 1_000_000);
    const long = 'x'.repeat(8000);
    assert.equal(cache.use('openai', { kind: 'automatic', text: long, tokens: 2000 }).read, 0);
    assert.equal(cache.use('openai', { kind: 'automatic', text: `${long}more`, tokens: 2001 }).read, 1920);
    assert.equal(cache.use('gemini', { kind: 'automatic', text: long, tokens: 2000 }).read, 0, 'each provider has its own cache');
    const short = 'y'.repeat(1000);
    cache.use('openai', { kind: 'automatic', text: short, tokens: 250 });
    assert.equal(cache.use('openai', { kind: 'automatic', text: short, tokens: 250 }).read, 0, 'short prompts are never cached');
  });
});
