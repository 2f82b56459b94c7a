import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../../src/providers/types.js';
import { cacheHolderFirst, cachedConversation, PromptCacheAffinity, type AffinityRequest } from '../../src/routing/prompt-cache-affinity.js';

const long = 'x'.repeat(5000);
const turns = (...contents: string[]): ChatMessage[] => contents.map((content, i) => ({ role: i === 0 ? 'system' : i % 2 === 1 ? 'user' : 'assistant', content }));
const gemini = { provider: 'gemini' as const, model: 'gemini-2.5-flash' };
const claude = { provider: 'anthropic' as const, model: 'claude-sonnet-4-5' };
const free = { provider: 'openrouter' as const, model: 'openrouter/free' };
const conversation = (over: Partial<AffinityRequest> = {}) => cachedConversation({ userId: 'u1', priority: 'normal', params: {}, messages: turns(long, 'first question'), ...over });

describe('Prompt-cache affinity', () => {
  it('knows a conversation by prompt_cache_key, else session_id, else its opening, within one caller and one priority', () => {
    const opening = conversation();
    assert.ok(opening);
    assert.equal(conversation({ messages: turns(long, 'first question', 'an answer', 'a follow-up') })?.key, opening.key, 'the same opening, however long it grows');
    assert.notEqual(conversation({ userId: 'u2' })?.key, opening.key, 'another caller never shares it');
    assert.notEqual(conversation({ priority: 'high' })?.key, opening.key, 'a high-priority turn plans its own targets');
    assert.notEqual(conversation({ messages: turns(long, 'another question') })?.key, opening.key);
    const keyed = conversation({ sessionId: 's', params: { openaiExtras: { prompt_cache_key: 'k'.repeat(100_000) } }, messages: turns('short', 'q') });
    assert.equal(keyed?.key.length, 43, 'kept as a digest, however long the caller made it');
    assert.notEqual(conversation({ sessionId: 's' })?.key, conversation({ sessionId: 't' })?.key);
  });

  it('leaves alone prompts no provider would cache: short, unmarked and unkeyed', () => {
    assert.equal(conversation({ messages: turns('be brief', 'hi') }), undefined);
    const marked = turns('be brief', 'hi');
    marked[0]!.cacheControl = { type: 'ephemeral', ttl: '1h' };
    assert.equal(conversation({ messages: marked })?.ttlMs, 3_600_000, 'an hour-long mark keeps it an hour');
  });

  it('remembers the holder only when the provider holds the prompt, for as long as it keeps it', () => {
    let now = 1_000_000;
    const affinity = new PromptCacheAffinity({ now: () => now });
    const c = { key: 'c', ttlMs: 300_000 };
    const long = { promptTokens: 2000, completionTokens: 5, totalTokens: 2005 };
    affinity.answered(c, gemini, { promptTokens: 50, completionTokens: 5, totalTokens: 55 });
    assert.equal(affinity.holder(c), undefined, 'a short uncached prompt left nothing');
    affinity.answered(c, claude, long);
    affinity.answered(c, free, long);
    assert.equal(affinity.holder(c), undefined, 'nor does a long one where nothing caches it unasked (Anthropic unmarked, a free router)');
    affinity.answered(c, claude, { ...long, cacheWriteTokens: 1900 });
    assert.deepEqual(affinity.holder(c), claude);
    affinity.answered(c, gemini, long);
    assert.deepEqual(affinity.holder(c), gemini, 'Gemini caches a long prompt by itself');
    now += 301_000;
    assert.equal(affinity.holder(c), undefined, 'gone when the provider has dropped it');
  });

  it('puts the holder first only when it is a target and may be called now', () => {
    const targets = [free, gemini, claude];
    assert.deepEqual(
      cacheHolderFirst(targets, claude, () => true),
      { targets: [claude, free, gemini], kept: true },
    );
    assert.deepEqual(
      cacheHolderFirst(targets, free, () => true),
      { targets, kept: true },
      'already first, and said so',
    );
    assert.deepEqual(
      cacheHolderFirst(targets, claude, (t) => t.model !== claude.model),
      { targets, kept: false },
    );
    assert.deepEqual(
      cacheHolderFirst(targets, undefined, () => true),
      { targets, kept: false },
    );
  });
});
