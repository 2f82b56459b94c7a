/**
 * Prompt-cache affinity: a provider's prompt cache pays only on the provider that holds it, so a
 * conversation whose prefix was cached keeps its target while that target is healthy. Conversations
 * are known by `prompt_cache_key`, else `session_id`, else their opening (instructions, tools and
 * first question), always within one caller. Held in memory, as long as the provider keeps the cache.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { cacheMarksOf } from '../providers/prompt-cache-marks.js';
import type { ChatMessage, ChatParams, Usage } from '../providers/types.js';
import type { Target } from './cascade.js';

/** The providers' automatic caching starts at this many prompt tokens (OpenAI's and Gemini's minimum). */
export const AUTOMATIC_CACHE_MIN_TOKENS = 1024;
/** Characters below which a prompt is too short to be cached without a marker (about 4 a token). */
const SHORT_PROMPT_CHARS = AUTOMATIC_CACHE_MIN_TOKENS * 4;
const FIVE_MINUTES = 5 * 60_000;
const AN_HOUR = 60 * 60_000;

/** What affinity reads of a request. */
export interface AffinityRequest {
  userId: string;
  sessionId?: string | undefined;
  params: ChatParams;
  messages: readonly ChatMessage[];
}

/** A conversation that may have a cached prefix: its key, and how long a provider keeps its cache. */
export interface CachedConversation {
  key: string;
  ttlMs: number;
}

/** The conversation's key when its prompt can be cached at all (marked, keyed, or long enough); pure. */
export function cachedConversation(request: AffinityRequest): CachedConversation | undefined {
  const marks = cacheMarksOf(request.messages, request.params);
  const explicitKey = request.params.openaiExtras?.prompt_cache_key;
  if (marks.length === 0 && typeof explicitKey !== 'string' && !longEnough(request.messages)) return undefined;
  const ttlMs = marks.some((m) => m.ttl === '1h') ? AN_HOUR : FIVE_MINUTES;
  if (typeof explicitKey === 'string') return { key: `${request.userId}\u0000key\u0000${explicitKey}`, ttlMs };
  if (request.sessionId !== undefined) return { key: `${request.userId}\u0000session\u0000${request.sessionId}`, ttlMs };
  return { key: `${request.userId}\u0000opening\u0000${openingDigest(request)}`, ttlMs };
}

function longEnough(messages: readonly ChatMessage[]): boolean {
  let chars = 0;
  for (const m of messages) if ((chars += m.content.length) >= SHORT_PROMPT_CHARS) return true;
  return false;
}

/** What stays the same on every turn of a conversation: its instructions, its tools and its first question. */
function openingDigest(request: AffinityRequest): string {
  const hash = createHash('sha256');
  for (const m of request.messages) if (m.role === 'system' || m.role === 'developer') hash.update(`${m.role}\u0000${m.content}\u0000`);
  for (const t of request.params.tools ?? []) hash.update(`tool\u0000${t.name}\u0000`);
  hash.update(`user\u0000${request.messages.find((m) => m.role === 'user')?.content ?? ''}`);
  return hash.digest('base64url');
}

/** Whether an answer's usage shows (or, for automatic caching, implies) a cache held upstream. */
export function leftACache(usage: Usage | undefined): boolean {
  if (!usage) return false;
  return (usage.cacheReadTokens ?? 0) > 0 || (usage.cacheWriteTokens ?? 0) > 0 || usage.promptTokens >= AUTOMATIC_CACHE_MIN_TOKENS;
}

/** The targets with the one holding the conversation's cache first, when it is among them and may be called now; pure. */
export function cacheHolderFirst(targets: readonly Target[], holder: Target | undefined, available: (t: Target) => boolean): readonly Target[] {
  if (!holder) return targets;
  const at = targets.findIndex((t) => t.provider === holder.provider && t.model === holder.model);
  if (at <= 0 || !available(targets[at]!)) return targets;
  return [targets[at]!, ...targets.slice(0, at), ...targets.slice(at + 1)];
}

/** Which target holds each conversation's cache, for as long as the provider keeps it (refreshed on every use, as providers do). */
export class PromptCacheAffinity {
  private readonly holders: LRUCache<string, Target>;

  constructor(options: { maxConversations?: number; now?: () => number } = {}) {
    this.holders = new LRUCache({ max: options.maxConversations ?? 50_000, ttl: FIVE_MINUTES, ttlResolution: 0, ...(options.now ? { perf: { now: options.now } } : {}) });
  }

  holder(conversation: CachedConversation | undefined): Target | undefined {
    return conversation === undefined ? undefined : this.holders.get(conversation.key);
  }

  /** After an answer: the target now holds the conversation's cache, if its usage says it does. */
  answered(conversation: CachedConversation | undefined, target: Target, usage: Usage | undefined): void {
    if (conversation === undefined || !leftACache(usage)) return;
    this.holders.set(conversation.key, { provider: target.provider, model: target.model }, { ttl: conversation.ttlMs });
  }
}
