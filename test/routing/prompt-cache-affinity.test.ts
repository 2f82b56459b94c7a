import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../../src/providers/types.js';
import { cacheHolderFirst, cachedConversation, PromptCacheAffinity } from '../../src/routing/prompt-cache-affinity.js';

const long = 'x'.repeat(5000);
const turns = (...contents: string[]): ChatMessage[] => contents.map((content, i) => ({ role: i === 0 ? 'system' : i % 2 === 1 ? 'user' : 'assistant', content }));
const gemini = { provider: 'gemini' as const, model: 'gemini-2.5-flash' };
const claude = { provider: 'anthropic' as const, model: 'claude-sonnet-4-5' };

describe('Prompt-cache affinity', () => {
  it('knows a conversation by prompt_cache_key, else session_id, else its opening, within one caller', () => {
    const opening = cachedConversation({ userId: 'u1', params: {}, messages: turns(long, 'first question') });
    const later = cachedConversation({ userId: 'u1', params: {}, messages: turns(long, 'first question', 'an answer', 'a follow-up') });
    assert.ok(opening);
    assert.equal(later?.key, opening.key, 'the same opening is the same conversation, however long it grows');
    assert.notEqual(cachedConversation({ userId: 'u2', params: {}, messages: turns(long, 'first question') })?.key, opening.key, 'another caller never shares it');
    assert.notEqual(cachedConversation({ userId: 'u1', params: {}, messages: turns(long, 'another question') })?.key, opening.key);
    const keyed = cachedConversation({ userId: 'u1', sessionId: 's', params: { openaiExtras: { prompt_cache_key: 'k' } }, messages: turns('short', 'q') });
    assert.match(keyed!.key, /key\u0000k$/);
    assert.match(cachedConversation({ userId: 'u1', sessionId: 's', params: {}, messages: turns(long, 'q') })!.key, /session\u0000s$/);
  });

  it('leaves alone prompts no provider would cache: short, unmarked and unkeyed', () => {
    assert.equal(cachedConversation({ userId: 'u', params: {}, messages: turns('be brief', 'hi') }), undefined);
    const marked = turns('be brief', 'hi');
    marked[0]!.cacheControl = { type: 'ephemeral', ttl: '1h' };
    assert.equal(cachedConversation({ userId: 'u', params: {}, messages: marked })?.ttlMs, 3_600_000, 'an hour-long mark keeps it an hour');
  });

  it('remembers the holder only when the answer shows a cache upstream, for as long as the provider keeps it', () => {
    let now = 1_000_000;
    const affinity = new PromptCacheAffinity({ now: () => now });
    const conversation = { key: 'c', ttlMs: 300_000 };
    affinity.answered(conversation, gemini, { promptTokens: 50, completionTokens: 5, totalTokens: 55 });
    assert.equal(affinity.holder(conversation), undefined, 'a short uncached prompt left nothing');
    affinity.answered(conversation, claude, { promptTokens: 50, completionTokens: 5, totalTokens: 55, cacheWriteTokens: 40 });
    assert.deepEqual(affinity.holder(conversation), claude);
    affinity.answered(conversation, gemini, { promptTokens: 2000, completionTokens: 5, totalTokens: 2005 });
    assert.deepEqual(affinity.holder(conversation), gemini, 'a long prompt is cached by itself where it was answered');
    now += 301_000;
    assert.equal(affinity.holder(conversation), undefined, 'gone when the provider has dropped it');
  });

  it('puts the holder first only when it is a target and may be called now', () => {
    const targets = [{ provider: 'openrouter' as const, model: 'free:free' }, gemini, claude];
    assert.deepEqual(
      cacheHolderFirst(targets, claude, () => true),
      [claude, targets[0], gemini],
    );
    assert.equal(
      cacheHolderFirst(targets, claude, (t) => t.model !== claude.model),
      targets,
    );
    assert.equal(
      cacheHolderFirst(targets, undefined, () => true),
      targets,
    );
  });
});
