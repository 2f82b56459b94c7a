/**
 * The prompt cache's share of a usage, from counts an upstream reported: each is kept only when it
 * is a whole, non-negative number, and the shares never exceed the prompt they are part of.
 */
import type { Usage } from './types.js';

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);

/** `usage` with its cache fields set from the upstream's counts (absent when both are 0). */
export function withCacheCounts(usage: Usage, reported: { read?: unknown; write?: unknown; write1h?: unknown }): Usage {
  const read = Math.min(count(reported.read), usage.promptTokens);
  const write = Math.min(count(reported.write), usage.promptTokens - read);
  if (read === 0 && write === 0) return usage;
  const out: Usage = { ...usage };
  if (read > 0) out.cacheReadTokens = read;
  if (write > 0) {
    out.cacheWriteTokens = write;
    const write1h = Math.min(count(reported.write1h), write);
    if (write1h > 0) out.cacheWrite1hTokens = write1h;
  }
  return out;
}
