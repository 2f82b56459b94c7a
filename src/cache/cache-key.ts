/**
 * Exact-match cache keys: SHA-256 over a canonical JSON of everything that shapes the answer
 * (the prompt as sent, memory included; the model or routing asked for; the sampling parameters)
 * and the tenant, so two users never share an entry. Pure.
 */
import { sha256 } from '../security/operator-token.js';
import type { ChatMessage, ChatParams } from '../providers/types.js';

export interface CacheKeyInput {
  /** The user the answer belongs to. */
  tenant: string;
  /** The model asked for (`auto` when the gateway chooses). */
  model: string;
  route: string;
  priority: string;
  messages: readonly ChatMessage[];
  params: ChatParams;
}

/** JSON with object keys sorted at every level, so equal requests serialise equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function cacheKey(input: CacheKeyInput): string {
  const messages = input.messages.map((m) => ({ role: m.role, content: m.content, name: m.name, parts: m.parts, tool_calls: m.toolCalls, tool_call_id: m.toolCallId }));
  return sha256(canonicalJson({ v: 1, tenant: input.tenant, model: input.model, route: input.route, priority: input.priority, messages, params: input.params })).toString('hex');
}

/**
 * Whether sampling is deterministic enough to replay: temperature unset (the caller asked for
 * nothing in particular) or at most `maxTemperature` (CACHE_MAX_TEMPERATURE), and one choice.
 */
export function isCacheable(params: ChatParams, maxTemperature: number): boolean {
  return params.temperature === undefined || params.temperature <= maxTemperature;
}
