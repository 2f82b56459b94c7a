/**
 * Anthropic's `cache_control` breakpoints as the entrances read them, wherever a client puts one:
 * checked like Anthropic checks them, and counted, since Anthropic refuses a fifth.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
 */
import { invalidRequest } from '../core/errors.js';
import { MAX_CACHE_BREAKPOINTS } from '../providers/prompt-cache-marks.js';
import type { CacheControl } from '../providers/types.js';

/** OpenAI's `prompt_cache_key`, passed on as it is: a string, as OpenAI takes it, of a bounded length. */
export function checkPromptCacheKey(value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) {
    throw invalidRequest("Invalid value for 'prompt_cache_key': must be a string of 1 to 1024 characters", 'prompt_cache_key', typeof value === 'string' ? 'invalid_value' : 'invalid_type');
  }
}

/** The breakpoints of one request, by where they were given. */
export class CacheMarks {
  private readonly at: string[] = [];

  /** `value` read as the breakpoint of the block at `param` ('' for the request's own; absent or null: none). */
  read(value: unknown, param: string): CacheControl | undefined {
    if (value === undefined || value === null) return undefined;
    const where = param === '' ? 'cache_control' : `${param}.cache_control`;
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`Invalid value for '${where}': must be an object such as {"type":"ephemeral"}`, where, 'invalid_type');
    const { type, ttl } = value as { type?: unknown; ttl?: unknown };
    if (type !== 'ephemeral') throw invalidRequest(`Invalid value for '${where}.type': must be 'ephemeral'`, `${where}.type`);
    if (ttl !== undefined && ttl !== '5m' && ttl !== '1h') throw invalidRequest(`Invalid value for '${where}.ttl': must be '5m' or '1h'`, `${where}.ttl`);
    this.at.push(where);
    return ttl === undefined ? { type } : { type, ttl };
  }

  /** The last breakpoint read marks a block already counted. */
  forgetLast(): void {
    this.at.pop();
  }

  /** Anthropic's limit, said as Anthropic says it, naming the first breakpoint too many. */
  checkLimit(): void {
    if (this.at.length <= MAX_CACHE_BREAKPOINTS) return;
    const extra = this.at[MAX_CACHE_BREAKPOINTS]!;
    throw invalidRequest(`A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${this.at.length} (the fifth is '${extra}').`, extra, 'too_many_cache_breakpoints');
  }
}
