/**
 * The one module that talks HTTP to upstreams: undici's pooled `request` over keep-alive
 * connections (the global fetch costs several times the CPU per request).
 */
import { Agent, request } from 'undici';
import type { CancelSignal } from '../gateway/cancellation.js';
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
    async send(req, options) {
      const res = await request(req.url, {
        method: req.method ?? 'POST',
        headers: req.headers,
        body: req.body ?? null,
        dispatcher: agent,
        // undici takes any EventTarget-shaped signal.
        signal: options.signal as unknown as AbortSignal,
        ...(options.headersTimeoutMs !== undefined ? { headersTimeout: options.headersTimeoutMs } : {}),
        ...(options.bodyTimeoutMs !== undefined ? { bodyTimeout: options.bodyTimeoutMs } : {}),
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    },
    close: () => agent.close(),
  };
}

/** Undici's error codes for a deadline, as opposed to a broken connection. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export function isTimeoutError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TIMEOUT_CODES.has(code);
}
