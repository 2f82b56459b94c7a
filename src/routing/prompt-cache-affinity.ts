/**
 * Prompt-cache affinity: a provider's prompt cache pays only on the provider that holds it, so a
 * conversation whose prefix was cached keeps its target while that target is healthy. Conversations
 * are known by `prompt_cache_key`, else `session_id`, else their opening (instructions, tools and
 * first question), always within one caller and one priority (a `high` turn plans its own targets).
 * Held in memory, as long as the provider keeps the cache; keys are digests, whatever the caller sent.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { PROVIDER_DEFINITIONS } from '../providers/definitions.js';
import { cacheMarksOf, hasCacheMarks } from '../providers/prompt-cache-marks.js';
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
  priority: string;
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
  // Every request asks: a plain one is answered without building anything.
  const marked = hasCacheMarks(request.messages, request.params);
  const explicitKey = request.params.openaiExtras?.prompt_cache_key;
  if (!marked && typeof explicitKey !== 'string' && !longEnough(request.messages)) return undefined;
  const ttlMs = marked && cacheMarksOf(request.messages, request.params).some((m) => m.ttl === '1h') ? AN_HOUR : FIVE_MINUTES;
  const hash = createHash('sha256').update(`${request.userId}\u0000${request.priority}\u0000`);
  if (typeof explicitKey === 'string') hash.update(`key\u0000${explicitKey}`);
  else if (request.sessionId !== undefined) hash.update(`session\u0000${request.sessionId}`);
  else opening(hash, request);
  return { key: hash.digest('base64url'), ttlMs };
}

function longEnough(messages: readonly ChatMessage[]): boolean {
  let chars = 0;
  for (const m of messages) if ((chars += m.content.length) >= SHORT_PROMPT_CHARS) return true;
  return false;
}

/** What stays the same on every turn of a conversation: its instructions, its tools and its first question. */
function opening(hash: ReturnType<typeof createHash>, request: AffinityRequest): void {
  hash.update('opening\u0000');
  for (const m of request.messages) if (m.role === 'system' || m.role === 'developer') hash.update(`${m.role}\u0000${m.content}\u0000`);
  for (const t of request.params.tools ?? []) hash.update(`tool\u0000${t.name}\u0000`);
  hash.update(`user\u0000${request.messages.find((m) => m.role === 'user')?.content ?? ''}`);
}

/**
 * Whether the target now holds the prompt in its cache: it said so (tokens read or written), or it
 * caches long prompts by itself (OpenAI, Gemini) and this one was long enough.
 */
export function leftACache(target: Target, usage: Usage | undefined): boolean {
  if (!usage) return false;
  if ((usage.cacheReadTokens ?? 0) > 0 || (usage.cacheWriteTokens ?? 0) > 0) return true;
  return PROVIDER_DEFINITIONS[target.provider].cachesLongPrompts === true && usage.promptTokens >= AUTOMATIC_CACHE_MIN_TOKENS;
}

/**
 * The targets with the one holding the conversation's cache first, when it is among them and may be
 * called now (`kept`: whether it is first for that reason); pure.
 */
export function cacheHolderFirst(targets: readonly Target[], holder: Target | undefined, available: (t: Target) => boolean): { targets: readonly Target[]; kept: boolean } {
  const at = holder ? targets.findIndex((t) => t.provider === holder.provider && t.model === holder.model) : -1;
  if (at === -1 || !available(targets[at]!)) return { targets, kept: false };
  return { targets: at === 0 ? targets : [targets[at]!, ...targets.slice(0, at), ...targets.slice(at + 1)], kept: true };
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
    if (conversation === undefined || !leftACache(target, usage)) return;
    this.holders.set(conversation.key, { provider: target.provider, model: target.model }, { ttl: conversation.ttlMs });
  }
}
