/**
 * One upstream call, the same for chat, embeddings and key checks: send a prepared request, turn a
 * non-2xx status into the provider's own UpstreamError, then read the JSON answer or frame the stream
 * into neutral parts (with the adapter's decoder, over SSE).
 */
import type { CancelSignal } from '../core/cancellation.js';
import { truncate, tryParseJson, UpstreamError } from './errors.js';
import { isTimeoutError, type SendOptions, type Transport, type TransportResponse } from './http-transport.js';
import { SseDecoder, type SseEvent } from './sse-decoder.js';
import type { ProviderId, StreamDecoder, StreamPart, UpstreamHttpRequest } from './types.js';

/** Who reads an error answer: the provider's adapter (every adapter has a `parseError`). */
export interface ErrorReader {
  parseError(status: number, headers: Record<string, string | string[] | undefined>, bodyText: string): UpstreamError;
}

/** Error bodies are read for their message, never more than this. */
const MAX_ERROR_BODY = 64 * 1024;

async function readErrorBody(res: TransportResponse): Promise<string> {
  let text = '';
  const utf8 = new TextDecoder();
  for await (const chunk of res.body) {
    text += utf8.decode(chunk, { stream: true });
    if (text.length > MAX_ERROR_BODY) break;
  }
  return text;
}

/** Sends the request; a status outside 2xx is the provider's error, with what its body says. */
export async function send(transport: Transport, request: UpstreamHttpRequest, errors: ErrorReader, options: SendOptions): Promise<TransportResponse> {
  const res = await transport.send(request, options);
  if (res.status < 200 || res.status >= 300) throw errors.parseError(res.status, res.headers, await readErrorBody(res));
  return res;
}

/** Sends the request and reads its JSON answer, with the response's headers (rate-limit counters ride on them). */
export async function sendForJson(
  transport: Transport,
  request: UpstreamHttpRequest,
  errors: ErrorReader,
  provider: ProviderId,
  options: SendOptions,
): Promise<{ json: unknown; headers: TransportResponse['headers'] }> {
  const res = await send(transport, request, errors, options);
  const text = await res.body.text();
  const json = tryParseJson(text);
  if (json === undefined) throw new UpstreamError({ provider, kind: 'protocol', message: `response is not JSON: ${truncate(text, 120)}` });
  return { json, headers: res.headers };
}

/**
 * A stream's parts, a batch per upstream read. Like an async generator's, `return()` (the reader
 * stopping early) releases the upstream connection.
 */
export interface PartBatches extends AsyncIterableIterator<StreamPart[], undefined> {
  return(value?: undefined): Promise<IteratorResult<StreamPart[], undefined>>;
}

/**
 * Sends the request and frames its body into parts. The decoder is made first: nothing may fail
 * between the response's head and the reading of its body.
 */
export async function openStream(
  transport: Transport,
  request: UpstreamHttpRequest,
  errors: ErrorReader,
  decoder: StreamDecoder,
  provider: ProviderId,
  signal: CancelSignal,
): Promise<{ headers: TransportResponse['headers']; parts: PartBatches }> {
  const res = await send(transport, request, errors, { signal });
  return { headers: res.headers, parts: new UpstreamParts(res, decoder, provider, signal) };
}

/** The result of a finished `PartBatches`, shared: ending a stream allocates nothing. */
export const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * Bytes → SSE events → neutral parts, one batch per upstream read; a stream that stops before its
 * end marker is an error. Written out rather than as an async generator: a stream is read once per
 * upstream packet, and a generator's machinery was a measurable share of that per-packet cost.
 */
class UpstreamParts implements PartBatches {
  private readonly sse = new SseDecoder();
  private readonly chunks: AsyncIterator<Uint8Array>;
  /** An in-band error, raised once the parts decoded before it are delivered. */
  private failure: unknown;
  private bodyEnded = false;
  private closed = false;

  constructor(
    private readonly res: TransportResponse,
    private readonly decoder: StreamDecoder,
    private readonly provider: ProviderId,
    private readonly signal: CancelSignal,
  ) {
    this.chunks = res.body[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<StreamPart[], undefined>> {
    if (this.closed) return DONE;
    try {
      for (;;) {
        if (this.failure !== undefined) throw this.failure;
        if (this.bodyEnded) {
          this.close();
          if (!this.decoder.finished) throw new UpstreamError({ provider: this.provider, kind: 'connection', message: 'the upstream stream ended before it was complete' });
          return DONE;
        }
        const chunk = await this.chunks.next();
        if (chunk.done) this.bodyEnded = true;
        const parts = this.decodeAll(chunk.done ? this.sse.end() : this.sse.push(chunk.value));
        if (parts.length > 0) return { value: parts, done: false };
      }
    } catch (err) {
      this.close();
      throw toUpstreamError(err, this.provider, this.signal);
    }
  }

  /** The reader stops early (or failed): the connection is released, the parts not yet read dropped. */
  async return(): Promise<IteratorReturnResult<undefined>> {
    this.close();
    return DONE;
  }

  /** What was decoded before an in-band error is still delivered; the error waits for the next call. */
  private decodeAll(events: SseEvent[]): StreamPart[] {
    const parts: StreamPart[] = [];
    try {
      for (const event of events) {
        const decoded = this.decoder.decode(event);
        for (const part of decoded) parts.push(part);
      }
    } catch (error) {
      this.failure = error;
    }
    return parts;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    // A body not read to its end aborts its connection; a finished one is already released.
    try {
      this.chunks.return?.()?.catch(() => undefined);
    } catch {
      // Nothing to release.
    }
    if (!this.decoder.finished) this.res.body.dump().catch(() => undefined);
  }
}

/** Whatever was thrown while calling an upstream → an UpstreamError. */
export function toUpstreamError(err: unknown, provider: ProviderId, signal: CancelSignal): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (signal.aborted) {
    const reason = signal.reason as { name?: string; message?: string } | undefined;
    const timedOut = reason?.name === 'TimeoutError';
    return new UpstreamError({ provider, kind: timedOut ? 'timeout' : 'connection', message: timedOut ? (reason?.message ?? 'deadline passed') : 'the request was cancelled' });
  }
  if (isTimeoutError(err)) return new UpstreamError({ provider, kind: 'timeout', message: (err as Error).message });
  const message = err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err);
  return new UpstreamError({ provider, kind: 'connection', message });
}
