/**
 * POST /v1/messages: an Anthropic-compatible entrance, streaming and not. Claude-format clients
 * (the Anthropic SDKs, Claude Code and tools built on them) reach every routed model through it;
 * behind the edge it is the same pipeline as /v1/chat/completions.
 */
import { uuidv7 } from '../../gateway/time-ordered-id.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CancelSignal } from '../../core/cancellation.js';
import type { ChatInput } from '../../gateway/chat-input.js';
import type { ChatService } from '../../gateway/chat-service.js';
import { anthropicError, AnthropicEventEncoder, anthropicMessage } from '../anthropic-format.js';
import { parseMessagesRequest } from '../anthropic-request.js';
import { chatRequestContext } from '../chat-request.js';
import { toErrorResponse } from '../error-response.js';
import type { InFlightRequests } from '../in-flight.js';
import { SseWriter } from '../sse-writer.js';
import { warningHeader } from './chat-completions.js';
import { approximateTokens } from '../../routing/token-estimate.js';
import type { ChatMessage, ToolDefinition } from '../../providers/types.js';

/** Tokens a message's framing costs beyond its text (role markers and separators), as chat formats count them. */
const PER_MESSAGE = 4;
/** What an image costs, roughly, before a provider sizes it. */
const PER_IMAGE = 1_600;

/** The prompt's tokens, counted locally (o200k-like): Claude Code asks before every turn. */
export function countPromptTokens(messages: readonly ChatMessage[], tools: readonly ToolDefinition[] | undefined): number {
  let tokens = 0;
  for (const m of messages) {
    tokens += PER_MESSAGE + approximateTokens(m.content);
    for (const c of m.toolCalls ?? []) tokens += approximateTokens(c.name) + approximateTokens(c.arguments);
    for (const p of m.parts ?? []) if (p.type === 'image') tokens += PER_IMAGE;
  }
  for (const t of tools ?? []) tokens += approximateTokens(t.name) + approximateTokens(t.description ?? '') + approximateTokens(JSON.stringify(t.parameters ?? {}));
  return tokens;
}

export interface MessagesRouteOptions {
  chat: ChatService;
  inFlight: InFlightRequests;
  totalTimeoutMs: number;
}

export const MESSAGES_ROUTE = '/v1/messages';

export function messagesRoute(app: FastifyInstance, options: MessagesRouteOptions): void {
  // Answered here, calling no provider: the count is an estimate, as the answer's usage is not.
  app.post(`${MESSAGES_ROUTE}/count_tokens`, async (request) => {
    const body = request.body as Record<string, unknown> | null;
    // The Messages body without max_tokens, which counting does not need.
    const withMax = typeof body === 'object' && body !== null && !Array.isArray(body) && body.max_tokens === undefined ? { ...body, max_tokens: 1 } : body;
    const input = parseMessagesRequest(withMax, chatRequestContext(request.headers, `count_${uuidv7()}`, request.caller));
    return { input_tokens: countPromptTokens(input.messages, input.params.tools) };
  });

  app.post(MESSAGES_ROUTE, async (request, reply) => {
    const requestId = `msg_${uuidv7().replaceAll('-', '')}`;
    let input: ChatInput;
    try {
      input = parseMessagesRequest(request.body, chatRequestContext(request.headers, requestId, request.caller));
    } catch (err) {
      const raw = request.body as { model?: unknown; stream?: unknown } | null;
      options.chat.recordRejected({ requestId, caller: request.caller, model: typeof raw?.model === 'string' ? raw.model : undefined, stream: raw?.stream === true, endpoint: 'messages' }, err);
      throw err;
    }
    return options.inFlight.run(
      reply.raw,
      options.totalTimeoutMs,
      async (signal) => {
        if (input.stream) {
          await streamMessage(options.chat, input, reply, signal, options.inFlight);
          return reply;
        }
        const outcome = await options.chat.complete(input, signal);
        return reply
          .headers({ 'x-cerebro-provider': outcome.metadata.provider, 'x-cerebro-model': outcome.metadata.model_used, ...warningHeader(outcome.warnings) })
          .send(anthropicMessage(requestId, outcome.result));
      },
      request.caller.userId,
    );
  });
}

async function streamMessage(chat: ChatService, input: ChatInput, reply: FastifyReply, signal: CancelSignal, inFlight: InFlightRequests): Promise<void> {
  // Errors before the first byte are ordinary error responses (thrown from here).
  const outcome = await chat.stream(input, signal);
  try {
    reply.hijack();
    inFlight.streamStarted(reply);
    const sse = new SseWriter(reply.raw, signal);
    // Headers the hooks set on the reply (CORS, say) go out with the hijacked stream too.
    sse.start({
      ...(reply.getHeaders() as Record<string, string>),
      'x-cerebro-provider': outcome.target.provider,
      'x-cerebro-model': outcome.target.model,
      'x-request-id': reply.request.id,
      ...warningHeader(outcome.warnings),
    });
    const encoder = new AnthropicEventEncoder(input.requestId, outcome.upstreamModel);
    await sse.events(encoder.start());
    try {
      for await (const batch of outcome.parts) {
        for (const part of batch) {
          const full = sse.events(encoder.part(part));
          if (full) await full;
        }
        if (sse.closed) break;
      }
    } catch (err) {
      // After the first byte a failure can only be told in-band, as Anthropic does: an error event.
      const res = toErrorResponse(outcome.publicError(err));
      await sse.event('error', JSON.stringify(anthropicError(res.status, res.body.error.message)));
      sse.end();
      return;
    }
    // A caller who left gets nothing more (the relay's clean-up below logs it as such).
    if (sse.closed) return;
    // The answer is stored by now; only then does the caller see the end of the stream.
    const summary = await outcome.summary;
    await sse.events(encoder.end(summary.finishReason ?? 'stop', summary.usage));
    sse.end();
  } finally {
    await outcome.parts.return(undefined);
  }
}
