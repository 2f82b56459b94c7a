/**
 * A front door: how one wire format's requests become the pipeline's input and its answers go back.
 * Chat Completions, Anthropic Messages and the Responses API are three of these; one route and one
 * stream writer serve them all, so routing, memory, limits, cancellation and logs are the same for each.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CancelSignal } from '../core/cancellation.js';
import type { AnswerMetadata, ChatInput } from '../gateway/chat-input.js';
import type { ChatService, CompletionOutcome, StreamOutcome } from '../gateway/chat-service.js';
import type { StreamSummary } from '../gateway/stream-relay.js';
import type { StreamPart } from '../providers/types.js';
import { toErrorResponse, type ErrorResponse } from './error-response.js';
import type { InFlightRequests } from './in-flight.js';
import { SseWriter, type Frames } from './sse-writer.js';

/** A stream's encoding in one wire format. */
export interface StreamEncoder {
  /** What goes before any part. */
  start(): Frames;
  part(part: StreamPart): Frames;
  /** The end, once the answer is stored: how it settled, and the gateway's metadata. */
  end(summary: StreamSummary, metadata: AnswerMetadata): Frames;
  /** A failure after the first byte, which can only be told in-band. */
  failure(res: ErrorResponse): Frames;
}

export interface Entrance<Req extends { input: ChatInput }> {
  /** For the log row of a request refused before it became an input. */
  endpoint: NonNullable<ChatInput['endpoint']>;
  /** A new request's id, in the format's own shape (`chatcmpl-…`, `msg_…`, `resp_…`). */
  newId(): string;
  /** The request read (and whatever it names looked up); throws the 4xx that says what is wrong. */
  parse(request: FastifyRequest, id: string): Req | Promise<Req>;
  /** A complete answer's body. */
  answer(req: Req, outcome: CompletionOutcome): unknown;
  stream(req: Req, outcome: StreamOutcome): StreamEncoder;
}

export interface EntranceDeps {
  chat: ChatService;
  inFlight: InFlightRequests;
  totalTimeoutMs: number;
}

export function warningHeader(warnings: readonly string[]): Record<string, string> {
  // Header values must be one line of visible ASCII.
  return warnings.length > 0 ? { 'x-cerebro-warnings': warnings.join('; ').replace(/[^\x20-\x7e]/g, '?') } : {};
}

/** POST `path`: the entrance's request through the pipeline, answered whole or streamed. */
export function entranceRoute<Req extends { input: ChatInput }>(app: FastifyInstance, path: string, entrance: Entrance<Req>, deps: EntranceDeps): void {
  app.post(path, async (request, reply) => {
    const id = entrance.newId();
    let req: Req;
    try {
      req = await entrance.parse(request, id);
    } catch (err) {
      const raw = request.body as { model?: unknown; stream?: unknown } | null;
      deps.chat.recordRejected(
        { requestId: id, caller: request.caller, model: typeof raw?.model === 'string' ? raw.model : undefined, stream: raw?.stream === true, endpoint: entrance.endpoint },
        err,
      );
      throw err;
    }
    // One signal per request: the caller leaving, the overall deadline, or shutdown.
    return deps.inFlight.run(
      reply.raw,
      deps.totalTimeoutMs,
      async (signal) => {
        if (req.input.stream) {
          await relayStream(deps, entrance, req, reply, signal);
          return reply;
        }
        const outcome = await deps.chat.complete(req.input, signal);
        return reply
          .headers({ 'x-cerebro-provider': outcome.metadata.provider, 'x-cerebro-model': outcome.metadata.model_used, ...warningHeader(outcome.warnings) })
          .send(entrance.answer(req, outcome));
      },
      request.caller.userId,
    );
  });
}

async function relayStream<Req extends { input: ChatInput }>(deps: EntranceDeps, entrance: Entrance<Req>, req: Req, reply: FastifyReply, signal: CancelSignal): Promise<void> {
  // Errors before the first byte are ordinary error responses (thrown from here).
  const outcome = await deps.chat.stream(req.input, signal);
  try {
    reply.hijack();
    deps.inFlight.streamStarted(reply);
    const sse = new SseWriter(reply.raw, signal);
    // Headers the hooks set on the reply (CORS, say) go out with the hijacked stream too.
    sse.start({
      ...(reply.getHeaders() as Record<string, string>),
      'x-cerebro-provider': outcome.target.provider,
      'x-cerebro-model': outcome.target.model,
      'x-request-id': reply.request.id,
      ...warningHeader(outcome.warnings),
    });
    const encoder = entrance.stream(req, outcome);
    const started = sse.frames(encoder.start());
    if (started) await started;
    try {
      for await (const batch of outcome.parts) {
        for (const part of batch) {
          // A promise only when the client's socket is full: then wait for it to drain.
          const full = sse.frames(encoder.part(part));
          if (full) await full;
        }
        if (sse.closed) break;
      }
    } catch (err) {
      // After the first byte a failure can only be told in-band, and the stream gets no proper end.
      await sse.frames(encoder.failure(toErrorResponse(outcome.publicError(err))));
      sse.end();
      return;
    }
    // A caller who left gets nothing more (the relay's clean-up below logs it as such).
    if (sse.closed) return;
    // The answer is stored by now; only then does the caller see the end of the stream.
    const summary = await outcome.summary;
    const metadata: AnswerMetadata = {
      model_used: outcome.target.model,
      provider: outcome.target.provider,
      cost_usd: summary.costUsd,
      latency_ms: summary.latencyMs,
      cache_hit: outcome.cacheHit,
      attempts: outcome.attempts,
      complexity: outcome.routing.complexity,
      route: outcome.routing.policy,
    };
    await sse.frames(encoder.end(summary, metadata));
    sse.end();
  } finally {
    // Runs the relay's own clean-up (log row, upstream release) even if we never read it to the end.
    await outcome.parts.return(undefined);
  }
}
