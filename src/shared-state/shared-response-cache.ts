/**
 * The answer cache in Redis (CACHE_BACKEND=redis), so a repeat on any instance is a hit: entries
 * under the same keys as in memory (a digest that includes the tenant, so users never share one), each
 * with the cache's TTL, at most CACHE_MAX_SIZE of them (the oldest dropped first, by one Lua script
 * that also forgets expired ones), none larger than CACHE_MAX_BYTES. A small in-process LRU in front
 * answers repeats on the same instance without a round trip. Redis failing is a miss, never an error.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { PROVIDER_IDS } from '../providers/definitions.js';
import type { Usage } from '../providers/types.js';
import { entryBytes, MemoryResponseCache, type CachedAnswer, type CacheStats, type ResponseCache } from '../cache/response-cache.js';
import type { SharedStateFallback } from './fallback.js';
import type { SharedRedis } from './shared-redis.js';

/**
 * KEYS: the entry, the index of entries by time; ARGV: the answer, its lifetime in ms, now, the bound.
 * Returns how many entries are kept.
 */
const SET_BOUNDED = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2]))
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
  for _, key in ipairs(oldest) do redis.call('DEL', key) end
end
return redis.call('ZCARD', KEYS[2])`;

type WithSetBounded = Redis & { cerebroCacheSet(entry: string, index: string, answer: string, ttlMs: number, now: number, max: number): Promise<number> };

const usageSchema = z.object({
  promptTokens: z.number(),
  completionTokens: z.number(),
  totalTokens: z.number(),
  cacheReadTokens: z.number().optional(),
  cacheWriteTokens: z.number().optional(),
  cacheWrite1hTokens: z.number().optional(),
});
/** What is read back is checked like anything else from outside the process. */
const answerSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  model: z.string(),
  upstreamModel: z.string(),
  text: z.string(),
  finishReason: z.enum(['stop', 'length', 'content_filter', 'tool_calls']),
  usage: usageSchema.optional(),
  storedAt: z.number(),
});

/** How long the in-process level keeps an entry: a repeat within it costs no round trip. */
const NEAR_TTL_MS = 30_000;

export interface SharedResponseCacheOptions {
  maxEntries: number;
  maxBytes: number;
  ttlMs: number;
  now: () => number;
  fallback: SharedStateFallback;
}

export class SharedResponseCache implements ResponseCache {
  private readonly client: WithSetBounded;
  private readonly near: MemoryResponseCache;
  private hits = 0;
  private misses = 0;
  private entries = 0;

  constructor(
    private readonly redis: SharedRedis,
    private readonly options: SharedResponseCacheOptions,
  ) {
    redis.client.defineCommand('cerebroCacheSet', { numberOfKeys: 2, lua: SET_BOUNDED });
    this.client = redis.client as WithSetBounded;
    this.near = new MemoryResponseCache({ maxEntries: Math.min(1_000, options.maxEntries), maxBytes: Math.min(options.maxBytes, 16 * 1024 * 1024), ttlMs: Math.min(NEAR_TTL_MS, options.ttlMs) });
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    const near = this.near.get(key);
    if (near) {
      this.hits++;
      return near;
    }
    let found: CachedAnswer | undefined;
    try {
      const text = await this.redis.call('cache_get', (c) => c.get(`ac:${key}`));
      this.options.fallback.succeeded();
      found = text === null ? undefined : parseAnswer(text);
    } catch (err) {
      this.options.fallback.failed(err);
    }
    if (found) {
      this.hits++;
      this.near.set(key, found);
    } else this.misses++;
    return found;
  }

  set(key: string, answer: CachedAnswer): void {
    if (entryBytes(answer) > this.options.maxBytes) return;
    this.near.set(key, answer);
    const now = this.options.now();
    void this.redis
      .call('cache_set', () => this.client.cerebroCacheSet(`ac:${key}`, 'ac-index', JSON.stringify(answer), this.options.ttlMs, now, this.options.maxEntries))
      .then((kept) => {
        this.entries = kept;
        this.options.fallback.succeeded();
      })
      .catch((err: unknown) => this.options.fallback.failed(err));
  }

  stats(): CacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      entries: this.entries,
      max_entries: this.options.maxEntries,
      bytes: this.near.stats().bytes,
      max_bytes: this.options.maxBytes,
      ttl_seconds: Math.round(this.options.ttlMs / 1000),
    };
  }

  clear(): void {
    this.near.clear();
  }
}

function parseAnswer(text: string): CachedAnswer | undefined {
  try {
    const parsed = answerSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    const { usage, ...rest } = parsed.data;
    // JSON carries no undefined: the optional counts are absent or numbers.
    return usage ? { ...rest, usage: usage as Usage } : rest;
  } catch {
    return undefined;
  }
}
