/** POST /v1/chat/completions: OpenAI-compatible, streaming and not. */
import { uuidv7 } from '../../gateway/time-ordered-id.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CancelSignal } from '../../core/cancellation.js';
import type { ChatInput } from '../../gateway/chat-input.js';
import type { ChatService } from '../../gateway/chat-service.js';
import { chatRequestContext, parseChatRequest } from '../chat-request.js';
import { toErrorResponse } from '../error-response.js';
import type { InFlightRequests } from '../in-flight.js';
import { chatCompletion, chunkJson, contentChunkSerializer, toolCallDelta, usageChunkJson } from '../openai-format.js';
import { SseWriter } from '../sse-writer.js';

export interface ChatRouteOptions {
  chat: ChatService;
  inFlight: InFlightRequests;
  totalTimeoutMs: number;
}

export function warningHeader(warnings: readonly string[]): Record<string, string> {
  // Header values must be one line of visible ASCII.
  return warnings.length > 0 ? { 'x-cerebro-warnings': warnings.join('; ').replace(/[^\x20-\x7e]/g, '?') } : {};
}

export function chatCompletionsRoute(app: FastifyInstance, options: ChatRouteOptions): void {
  app.post('/v1/chat/completions', async (request, reply) => {
    const requestId = `chatcmpl-${uuidv7()}`;
    let input;
    try {
      input = parseChatRequest(request.body, chatRequestContext(request.headers, requestId, request.caller));
    } catch (err) {
      const raw = request.body as { model?: unknown; stream?: unknown } | null;
      options.chat.recordRejected({ requestId, caller: request.caller, model: typeof raw?.model === 'string' ? raw.model : undefined, stream: raw?.stream === true }, err);
      throw err;
    }
    // One signal per request: the caller leaving, the overall deadline, or shutdown.
    return options.inFlight.run(
      reply.raw,
      options.totalTimeoutMs,
      async (signal) => {
        if (input.stream) {
          await streamCompletion(options.chat, input, reply, signal, options.inFlight);
          return reply;
        }
        const outcome = await options.chat.complete(input, signal);
        const created = Math.floor(Date.now() / 1000);
        return reply
          .headers({ 'x-cerebro-provider': outcome.metadata.provider, 'x-cerebro-model': outcome.metadata.model_used, ...warningHeader(outcome.warnings) })
          .send(chatCompletion(requestId, created, outcome.result, outcome.metadata));
      },
      request.caller.userId,
    );
  });
}

async function streamCompletion(chat: ChatService, input: ChatInput & { includeUsage: boolean }, reply: FastifyReply, signal: CancelSignal, inFlight: InFlightRequests): Promise<void> {
  // Errors before the first byte still become ordinary JSON error responses (thrown from here).
  const outcome = await chat.stream(input, signal);
  try {
    reply.hijack();
    inFlight.streamStarted(reply);
    const sse = new SseWriter(reply.raw, signal);
    const id = input.requestId;
    const created = Math.floor(Date.now() / 1000);
    const model = outcome.upstreamModel;
    // Headers the hooks set on the reply (CORS, say) go out with the hijacked stream too.
    sse.start({
      ...(reply.getHeaders() as Record<string, string>),
      'x-cerebro-provider': outcome.target.provider,
      'x-cerebro-model': outcome.target.model,
      'x-request-id': reply.request.id,
      ...warningHeader(outcome.warnings),
    });
    const contentChunk = contentChunkSerializer(id, created, model);
    let first = true;
    try {
      for await (const batch of outcome.parts) {
        for (const part of batch) {
          // A promise only when the client's socket is full: then wait for it to drain.
          let full: Promise<void> | undefined;
          if (part.type === 'text-delta') {
            full = sse.data(contentChunk(part.text, first));
            first = false;
          } else if (part.type === 'tool-call-delta') {
            full = sse.data(chunkJson(id, created, model, toolCallDelta(part, first), null));
            first = false;
          }
          if (full) await full;
        }
        if (sse.closed) break;
      }
    } catch (err) {
      // After the first byte a failure can only be told in-band: an error event, and no [DONE].
      await sse.data(JSON.stringify(toErrorResponse(outcome.publicError(err)).body));
      sse.end();
      return;
    }
    // A caller who left gets nothing more (the relay's clean-up below logs it as such).
    if (sse.closed) return;
    // The answer is stored by now; only then does the caller see the end of the stream.
    const summary = await outcome.summary;
    const metadata = {
      model_used: outcome.target.model,
      provider: outcome.target.provider,
      complexity: outcome.routing.complexity,
      route: outcome.routing.policy,
      cost_usd: summary.costUsd,
      latency_ms: summary.latencyMs,
      cache_hit: outcome.cacheHit,
      attempts: outcome.attempts,
    };
    await sse.data(chunkJson(id, created, model, first ? { role: 'assistant', content: '' } : {}, summary.finishReason ?? 'stop', { metadata }));
    if (input.includeUsage) await sse.data(usageChunkJson(id, created, model, summary.usage));
    await sse.data('[DONE]');
    sse.end();
  } finally {
    // Runs the relay's own clean-up (log row, upstream release) even if we never read it to the end.
    await outcome.parts.return(undefined);
  }
}
