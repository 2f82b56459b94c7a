/**
 * The answer cache: one interface, so a shared backend (Redis) can follow the in-memory one.
 * Entries are whole answers, replayed as JSON or as a stream.
 */
import { LRUCache } from 'lru-cache';
import type { FinishReason, ProviderId, Usage } from '../providers/types.js';

export interface CachedAnswer {
  provider: ProviderId;
  /** The model the gateway routed to. */
  model: string;
  /** The model the upstream said answered. */
  upstreamModel: string;
  text: string;
  finishReason: FinishReason;
  usage?: Usage | undefined;
  /** ms since the epoch. */
  storedAt: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  max_entries: number;
  /** What the entries take, roughly (their text as UTF-16 plus a fixed overhead each), and the bound. */
  bytes: number;
  max_bytes: number;
  ttl_seconds: number;
}

/** In memory the answer is at hand; shared (Redis) it is a promise. */
export interface ResponseCache {
  get(key: string): CachedAnswer | undefined | Promise<CachedAnswer | undefined>;
  set(key: string, answer: CachedAnswer): void;
  stats(): CacheStats;
  clear(): void;
}

export interface MemoryCacheOptions {
  maxEntries: number;
  /** The bound on what all entries take together: many long answers must not fill the heap. */
  maxBytes: number;
  ttlMs: number;
  now?: () => number;
}

/** Roughly what an entry holds in memory: its strings as UTF-16, and its object and key. */
export function entryBytes(answer: CachedAnswer): number {
  return 2 * (answer.text.length + answer.model.length + answer.upstreamModel.length) + 512;
}

/** LRU with a time-to-live, in this process. */
export class MemoryResponseCache implements ResponseCache {
  private readonly lru: LRUCache<string, CachedAnswer>;
  private hits = 0;
  private misses = 0;

  constructor(private readonly options: MemoryCacheOptions) {
    this.lru = new LRUCache({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      // An answer larger than the whole bound is simply not kept.
      sizeCalculation: (answer) => Math.min(entryBytes(answer), options.maxBytes + 1),
      maxEntrySize: options.maxBytes,
      ttl: options.ttlMs,
      ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
    });
  }

  get(key: string): CachedAnswer | undefined {
    const hit = this.lru.get(key);
    if (hit) this.hits++;
    else this.misses++;
    return hit;
  }

  set(key: string, answer: CachedAnswer): void {
    this.lru.set(key, answer);
  }

  stats(): CacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      entries: this.lru.size,
      max_entries: this.options.maxEntries,
      bytes: this.lru.calculatedSize,
      max_bytes: this.options.maxBytes,
      ttl_seconds: Math.round(this.options.ttlMs / 1000),
    };
  }

  clear(): void {
    this.lru.clear();
  }
}
