/**
 * POST /v1/messages: an Anthropic-compatible entrance, streaming and not. Claude-format clients
 * (the Anthropic SDKs, Claude Code and tools built on them) reach every routed model through it;
 * behind the edge it is the same pipeline as /v1/chat/completions.
 */
import { uuidv7 } from '../../gateway/time-ordered-id.js';
import type { FastifyInstance } from 'fastify';
import type { ChatInput } from '../../gateway/chat-input.js';
import { anthropicError, AnthropicEventEncoder, anthropicMessage } from '../anthropic-format.js';
import { parseMessagesRequest } from '../anthropic-request.js';
import { chatRequestContext } from '../chat-request.js';
import { entranceRoute, type Entrance, type EntranceDeps } from '../entrance.js';
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

export const MESSAGES_ROUTE = '/v1/messages';

export const messagesEntrance: Entrance<{ input: ChatInput }> = {
  endpoint: 'messages',
  newId: () => `msg_${uuidv7().replaceAll('-', '')}`,
  parse: (request, id) => ({ input: parseMessagesRequest(request.body, chatRequestContext(request.headers, id, request.caller)) }),
  answer: (req, outcome) => anthropicMessage(req.input.requestId, outcome.result),
  stream: (req, outcome) => {
    const encoder = new AnthropicEventEncoder(req.input.requestId, outcome.upstreamModel);
    return {
      start: () => encoder.start(),
      part: (part) => encoder.part(part),
      end: (summary) => encoder.end(summary.finishReason ?? 'stop', summary.usage),
      // As Anthropic does: an error event.
      failure: (res) => [{ event: 'error', data: anthropicError(res.status, res.body.error.message) }],
    };
  },
};

export function messagesRoute(app: FastifyInstance, deps: EntranceDeps): void {
  // Answered here, calling no provider: the count is an estimate, as the answer's usage is not.
  app.post(`${MESSAGES_ROUTE}/count_tokens`, async (request) => {
    const body = request.body as Record<string, unknown> | null;
    // The Messages body without max_tokens, which counting does not need.
    const withMax = typeof body === 'object' && body !== null && !Array.isArray(body) && body.max_tokens === undefined ? { ...body, max_tokens: 1 } : body;
    const input = parseMessagesRequest(withMax, chatRequestContext(request.headers, `count_${uuidv7()}`, request.caller));
    return { input_tokens: countPromptTokens(input.messages, input.params.tools) };
  });
  entranceRoute(app, MESSAGES_ROUTE, messagesEntrance, deps);
}
