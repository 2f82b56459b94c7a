/**
 * The one module that talks HTTP to upstreams: undici's pooled dispatcher over keep-alive
 * connections (the global fetch costs several times the CPU per request, and undici's own
 * `request()` a measurable share more than the dispatcher API used here).
 */
import type { Dispatcher } from 'undici';
import { Agent } from './undici-agent.js';
import type { CancelSignal } from '../core/cancellation.js';
import type { UpstreamHttpRequest } from './types.js';

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array> & { text(): Promise<string>; dump(): Promise<void> };
}

export interface SendOptions {
  signal: CancelSignal;
  /** Overrides the transport's first-byte timeout for this call (a non-streamed answer's headers come last). */
  headersTimeoutMs?: number;
  /** Overrides the idle timeout between body chunks for this call. */
  bodyTimeoutMs?: number;
}

/** Sends one request; injectable so tests and benchmarks can swap it. */
export interface Transport {
  send(req: UpstreamHttpRequest, options: SendOptions): Promise<TransportResponse>;
  close(): Promise<void>;
}

export interface TransportTimeouts {
  /** TCP/TLS connect. */
  connectMs: number;
  /** From sending the request to the response headers (the first byte). */
  firstByteMs: number;
  /** Longest silence between two body chunks (a stalled stream). */
  idleMs: number;
}

export function createUndiciTransport(timeouts: TransportTimeouts): Transport {
  const agent = new Agent({
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.firstByteMs,
    bodyTimeout: timeouts.idleMs,
    keepAliveTimeout: 30_000,
    connections: 256,
  });
  return {
    send(req, options) {
      // Cancelled already: nothing is sent (and no kept-alive connection is spent on it).
      if (options.signal.aborted) return Promise.reject((options.signal.reason as Error | undefined) ?? new Error('the request was cancelled'));
      const { origin, path } = splitUrl(req.url);
      const call = new UpstreamCall(options.signal);
      try {
        agent.dispatch(
          {
            origin,
            path,
            method: req.method ?? 'POST',
            headers: req.headers,
            body: req.body ?? null,
            ...(options.headersTimeoutMs !== undefined ? { headersTimeout: options.headersTimeoutMs } : {}),
            ...(options.bodyTimeoutMs !== undefined ? { bodyTimeout: options.bodyTimeoutMs } : {}),
          },
          call,
        );
      } catch (err) {
        call.onResponseError(undefined, err as Error);
      }
      return call.response;
    },
    close: () => agent.close(),
  };
}

/** Parsed upstream URLs: a handful of distinct ones (a base URL per provider, a path per model). */
const SPLIT_URLS = new Map<string, { origin: string; path: string }>();
const MAX_SPLIT_URLS = 1_000;

function splitUrl(url: string): { origin: string; path: string } {
  let split = SPLIT_URLS.get(url);
  if (!split) {
    const parsed = new URL(url);
    split = { origin: parsed.origin, path: parsed.pathname + parsed.search };
    if (SPLIT_URLS.size >= MAX_SPLIT_URLS) SPLIT_URLS.clear();
    SPLIT_URLS.set(url, split);
  }
  return split;
}

/**
 * One upstream call on undici's dispatcher API: the response as soon as its headers arrive, and its
 * body as a small queue of chunks. undici's `request()` wraps the same calls in an AsyncResource,
 * a Node Readable per response and a listener on the signal; on a gateway that is a measurable share
 * of every request, for features (stream piping, async-hooks context) nothing here uses.
 */
class UpstreamCall implements Dispatcher.DispatchHandler {
  readonly response: Promise<TransportResponse>;
  private settleHead!: { resolve: (res: TransportResponse) => void; reject: (err: Error) => void };
  private controller: Dispatcher.DispatchController | undefined;
  private body: ResponseBody | undefined;
  private readonly onAbort = () => this.abort((this.signal.reason as Error | undefined) ?? new Error('the request was cancelled'));

  constructor(private readonly signal: CancelSignal) {
    this.response = new Promise((resolve, reject) => (this.settleHead = { resolve, reject }));
    if (!signal.aborted) signal.addEventListener('abort', this.onAbort);
  }

  private abort(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else this.onResponseError(undefined, reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal.aborted) this.onAbort();
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // 1xx: informational, the real head follows
    this.body = new ResponseBody(controller);
    this.settleHead.resolve({ status: statusCode, headers, body: this.body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.body?.push(chunk);
  }

  onResponseEnd(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.body?.end(undefined);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.signal.removeEventListener('abort', this.onAbort);
    if (this.body) this.body.end(error);
    else this.settleHead.reject(error);
  }
}

/** Above this many bytes waiting to be read, the socket is paused until the reader catches up. */
const HIGH_WATER_BYTES = 256 * 1024;
/** What dump() reads to keep the connection; a longer body is cut (the connection is closed instead). */
const DUMP_LIMIT_BYTES = 128 * 1024;

/** A response body: read it whole (`text()`), chunk by chunk (`for await`), or drop it (`dump()`). */
class ResponseBody implements AsyncIterable<Uint8Array> {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  private error: Error | undefined;
  private dumping = false;
  private dumped = 0;
  /** text() is reading it whole: no point pausing the socket for it. */
  private collecting = false;
  /** Wakes whoever waits for the next chunk or the end. */
  private wake: (() => void) | undefined;

  constructor(private readonly controller: Dispatcher.DispatchController) {}

  push(chunk: Buffer): void {
    if (this.dumping) {
      this.dumped += chunk.length;
      if (this.dumped > DUMP_LIMIT_BYTES) this.controller.abort(new Error('response body dumped'));
      return;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > HIGH_WATER_BYTES && this.wake === undefined && !this.collecting) this.controller.pause();
    this.notify();
  }

  end(error: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private waitForMore(): Promise<void> {
    // Waiting first: resuming can deliver data (even the end) before resume() returns.
    const more = new Promise<void>((resolve) => (this.wake = resolve));
    if (this.controller.paused) this.controller.resume();
    return more;
  }

  async text(): Promise<string> {
    this.collecting = true;
    while (!this.done) await this.waitForMore();
    if (this.error) throw this.error;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    return all.toString('utf8');
  }

  async dump(): Promise<void> {
    this.dumping = true;
    this.dumped = this.buffered;
    this.chunks = [];
    if (this.dumped > DUMP_LIMIT_BYTES) this.controller.abort(new Error('response body dumped'));
    while (!this.done) await this.waitForMore();
  }

  /**
   * Chunk by chunk. Written out rather than as an async generator: a stream's body is read once per
   * upstream packet, and a generator's machinery (its request queue, the await on every yield) was
   * a measurable share of a stream's per-packet cost.
   */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    let taken: Buffer[] = [];
    let next = 0;
    const read = async (): Promise<IteratorResult<Uint8Array>> => {
      for (;;) {
        if (next < taken.length) return { value: taken[next++]!, done: false };
        if (this.chunks.length > 0) {
          taken = this.chunks;
          next = 0;
          this.chunks = [];
          this.buffered = 0;
          continue;
        }
        if (this.done) {
          if (this.error) throw this.error;
          return { value: undefined, done: true };
        }
        await this.waitForMore();
      }
    };
    return {
      next: read,
      // A reader that stops early frees the connection rather than leaving the body unread.
      return: async () => {
        if (!this.done) this.controller.abort(new Error('response body not read to its end'));
        taken = [];
        return { value: undefined, done: true };
      },
    };
  }
}

/** Undici's error codes for a deadline, as opposed to a broken connection. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export function isTimeoutError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TIMEOUT_CODES.has(code);
}
