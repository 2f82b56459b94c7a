/**
 * Prompt-cache breakpoints in a neutral call: whether it has any, and a conversation without them
 * (remembered turns are sent again under the caller's new marks, which must stay within the limit).
 */
import type { CacheControl, ChatMessage, ChatParams } from './types.js';

/** Anthropic caches at most this many marked prefixes per request, and refuses more. */
export const MAX_CACHE_BREAKPOINTS = 4;

/** Every breakpoint of a call, in no particular order. */
export function cacheMarksOf(messages: readonly ChatMessage[], params: ChatParams): CacheControl[] {
  const marks: CacheControl[] = [];
  const add = (mark: CacheControl | undefined) => {
    if (mark) marks.push(mark);
  };
  add(params.cacheControl);
  for (const tool of params.tools ?? []) add(tool.cacheControl);
  for (const m of messages) {
    add(m.cacheControl);
    for (const part of m.parts ?? []) add(part.cacheControl);
    for (const call of m.toolCalls ?? []) add(call.cacheControl);
  }
  return marks;
}

/** Whether a call carries any breakpoint: asked by every adapter on every call, so it stops at the first and builds nothing. */
export function hasCacheMarks(messages: readonly ChatMessage[], params: ChatParams): boolean {
  if (params.cacheControl || params.tools?.some((t) => t.cacheControl)) return true;
  return messages.some((m) => m.cacheControl || m.parts?.some((p) => p.cacheControl) || m.toolCalls?.some((c) => c.cacheControl));
}

/** The turns with their breakpoints taken off (and parts that were only there to carry one folded back into text). */
export function withoutCacheMarks(messages: readonly ChatMessage[]): ChatMessage[] {
  return messages.map((m) => {
    if (!m.cacheControl && !m.parts?.some((p) => p.cacheControl) && !m.toolCalls?.some((c) => c.cacheControl)) return m;
    const { cacheControl: _dropped, ...rest } = m;
    const out: ChatMessage = rest;
    if (m.parts) {
      const parts = m.parts.map(({ cacheControl: _mark, ...part }) => part);
      if (parts.some((p) => p.type === 'image')) out.parts = parts;
      else delete out.parts;
    }
    if (m.toolCalls) out.toolCalls = m.toolCalls.map(({ cacheControl: _mark, ...call }) => call);
    return out;
  });
}

/** The warning for an upstream that has no breakpoint marker. */
export const cacheMarksDropped = (provider: string) => `cache_control was dropped: ${provider} takes no cache breakpoints (it caches long prompts by itself)`;
