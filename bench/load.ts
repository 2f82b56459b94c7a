/**
 * A closed-loop load generator: `concurrency` workers each send a request, read the whole answer,
 * and send the next, for `durationMs`. Keep-alive connections through an undici Pool.
 */
import { Pool } from 'undici';

export interface LoadTarget {
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** One body per worker lets memory-on runs give each worker its own session. */
  body: (worker: number) => string;
  stream: boolean;
}

export interface LoadResult {
  completed: number;
  errors: number;
  durationMs: number;
  /** Full request latencies, ms, sorted. */
  latencies: number[];
  /** Time to the first body byte, ms, sorted (streams only). */
  ttfb: number[];
  firstError?: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export async function runLoad(target: LoadTarget, concurrency: number, durationMs: number): Promise<LoadResult> {
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const latencies: number[] = [];
  const ttfb: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + durationMs;

  async function worker(index: number): Promise<void> {
    const body = target.body(index);
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await pool.request({ path: target.path, method: 'POST', headers: target.headers, body });
        let first = true;
        let text = '';
        for await (const chunk of res.body) {
          if (first) {
            if (target.stream) ttfb.push(performance.now() - t0);
            first = false;
          }
          text += chunk.toString();
        }
        const ok = res.statusCode === 200 && (target.stream ? text.includes('[DONE]') : text.includes('"choices"'));
        if (!ok) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
        // A failing system must not turn into a busy loop.
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const elapsed = performance.now() - started;
  await pool.close();
  latencies.sort((a, b) => a - b);
  ttfb.sort((a, b) => a - b);
  const result: LoadResult = { completed: latencies.length, errors, durationMs: elapsed, latencies, ttfb };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}
