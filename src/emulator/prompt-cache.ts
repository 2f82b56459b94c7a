/**
 * The providers' prompt caches, as the emulator keeps them. Anthropic caches the prefix up to each
 * block the request marks with `cache_control`; OpenAI and Gemini cache long prompts by themselves
 * (1,024 tokens or more) and read back the longest prefix seen before, in steps of 128 tokens.
 * Entries expire like the real ones (5 minutes, or an hour when asked), on the emulator's clock.
 */
import { createHash } from 'node:crypto';
import type { EmulatedProvider } from './script.js';

/** One marked block's prefix: a digest of everything up to and including it, and its tokens. */
export interface CacheBreakpoint {
  key: string;
  tokens: number;
  ttl: '5m' | '1h';
}

/** What a request offers a prompt cache: marked prefixes (Anthropic), or the whole prompt (automatic caching). */
export type CacheablePrompt = { kind: 'explicit'; breakpoints: CacheBreakpoint[] } | { kind: 'automatic'; text: string; tokens: number };

export interface CacheUse {
  read: number;
  write: number;
  /** Of `write`, the tokens written with a one-hour lifetime. */
  write1h: number;
}

export const NO_CACHE_USE: CacheUse = { read: 0, write: 0, write1h: 0 };

const MIN_AUTOMATIC_TOKENS = 1024;
const AUTOMATIC_STEP = 128;
const TTL_MS = { '5m': 5 * 60_000, '1h': 60 * 60_000 } as const;
/** Automatic entries kept at most (oldest dropped first): enough for any test, bounded for the benchmark. */
const MAX_AUTOMATIC = 256;
/** Marked prefixes kept at most: expired ones go first, then the oldest. */
const MAX_EXPLICIT = 4096;

export const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

export class EmulatedPromptCache {
  private readonly explicit = new Map<string, number>();
  private readonly automatic = new Map<string, { text: string; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Reads and refreshes the cache for one answered request. Marked prefixes count their tools too,
   * so the answer's prompt is at least what they hold (the server sees to it).
   */
  use(provider: EmulatedProvider, prompt: CacheablePrompt | undefined): CacheUse {
    if (prompt === undefined) return NO_CACHE_USE;
    if (prompt.kind === 'explicit') return this.useExplicit(provider, prompt.breakpoints);
    return { read: this.useAutomatic(provider, prompt.text, prompt.tokens), write: 0, write1h: 0 };
  }

  reset(): void {
    this.explicit.clear();
    this.automatic.clear();
  }

  /**
   * The latest marked prefix already cached is read; each later mark writes the stretch since the one
   * before it, for that mark's lifetime.
   */
  private useExplicit(provider: EmulatedProvider, breakpoints: CacheBreakpoint[]): CacheUse {
    const now = this.now();
    const cached = breakpoints.map((b) => (this.explicit.get(`${provider}:${b.key}`) ?? 0) > now);
    const latest = cached.lastIndexOf(true);
    const read = latest === -1 ? 0 : breakpoints[latest]!.tokens;
    let write = 0;
    let write1h = 0;
    let covered = read;
    for (const b of breakpoints.slice(latest + 1)) {
      const stretch = Math.max(0, b.tokens - covered);
      write += stretch;
      if (b.ttl === '1h') write1h += stretch;
      covered = Math.max(covered, b.tokens);
    }
    for (const b of breakpoints) {
      const key = `${provider}:${b.key}`;
      this.explicit.delete(key);
      this.explicit.set(key, now + TTL_MS[b.ttl]);
    }
    if (this.explicit.size > MAX_EXPLICIT) this.prune(now);
    return { read, write, write1h };
  }

  private prune(now: number): void {
    for (const [key, expires] of this.explicit) if (expires <= now) this.explicit.delete(key);
    for (const key of this.explicit.keys()) {
      if (this.explicit.size <= MAX_EXPLICIT) break;
      this.explicit.delete(key);
    }
  }

  private useAutomatic(provider: EmulatedProvider, text: string, tokens: number): number {
    if (tokens < MIN_AUTOMATIC_TOKENS) return 0;
    const now = this.now();
    let common = 0;
    for (const [key, entry] of this.automatic) {
      if (entry.expires <= now) this.automatic.delete(key);
      else if (key.startsWith(`${provider}:`)) common = Math.max(common, commonPrefixLength(entry.text, text));
    }
    const key = `${provider}:${digest(text)}`;
    this.automatic.delete(key);
    this.automatic.set(key, { text, expires: now + TTL_MS['5m'] });
    if (this.automatic.size > MAX_AUTOMATIC) this.automatic.delete(this.automatic.keys().next().value!);
    // The share of the prompt's tokens the common prefix holds, in whole steps, from the minimum up.
    const cached = Math.floor((tokens * (common / text.length)) / AUTOMATIC_STEP) * AUTOMATIC_STEP;
    return cached >= MIN_AUTOMATIC_TOKENS ? cached : 0;
  }
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
