/** POST /v1/chat/completions: OpenAI-compatible, streaming and not. */
import { uuidv7 } from '../../gateway/time-ordered-id.js';
import type { FastifyInstance } from 'fastify';
import type { ChatInput } from '../../gateway/chat-input.js';
import type { StreamOutcome } from '../../gateway/chat-service.js';
import type { StreamPart } from '../../providers/types.js';
import { chatRequestContext, parseChatRequest } from '../chat-request.js';
import { entranceRoute, type Entrance, type EntranceDeps, type StreamEncoder } from '../entrance.js';
import { chatCompletion, chunkJson, contentChunkSerializer, toolCallDelta, usageChunkJson } from '../openai-format.js';

export { warningHeader } from '../entrance.js';

type ChatRequest = { input: ChatInput & { includeUsage: boolean } };

/** Chunks as OpenAI streams them: content deltas (the first carrying the role), then the finish, usage if asked, [DONE]. */
class ChatCompletionStream implements StreamEncoder {
  private first = true;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly model: string;
  private readonly contentChunk: (text: string, first: boolean) => string;

  constructor(
    private readonly id: string,
    outcome: StreamOutcome,
    private readonly includeUsage: boolean,
  ) {
    this.model = outcome.upstreamModel;
    this.contentChunk = contentChunkSerializer(id, this.created, this.model);
  }

  start() {
    return undefined;
  }

  part(part: StreamPart) {
    if (part.type === 'text-delta') {
      const chunk = this.contentChunk(part.text, this.first);
      this.first = false;
      return chunk;
    }
    if (part.type === 'tool-call-delta') {
      const chunk = chunkJson(this.id, this.created, this.model, toolCallDelta(part, this.first), null);
      this.first = false;
      return chunk;
    }
    return undefined;
  }

  end(summary: Parameters<StreamEncoder['end']>[0], metadata: Parameters<StreamEncoder['end']>[1]) {
    const frames = [chunkJson(this.id, this.created, this.model, this.first ? { role: 'assistant', content: '' } : {}, summary.finishReason ?? 'stop', { metadata })];
    if (this.includeUsage) frames.push(usageChunkJson(this.id, this.created, this.model, summary.usage));
    frames.push('[DONE]');
    return frames;
  }

  failure(res: Parameters<StreamEncoder['failure']>[0]) {
    // An error event, and no [DONE].
    return JSON.stringify(res.body);
  }
}

export const chatCompletionsEntrance: Entrance<ChatRequest> = {
  endpoint: 'chat.completions',
  newId: () => `chatcmpl-${uuidv7()}`,
  parse: (request, id) => ({ input: parseChatRequest(request.body, chatRequestContext(request.headers, id, request.caller)) }),
  answer: (req, outcome) => chatCompletion(req.input.requestId, Math.floor(Date.now() / 1000), outcome.result, outcome.metadata),
  stream: (req, outcome) => new ChatCompletionStream(req.input.requestId, outcome, req.input.includeUsage),
};

export function chatCompletionsRoute(app: FastifyInstance, deps: EntranceDeps): void {
  entranceRoute(app, '/v1/chat/completions', chatCompletionsEntrance, deps);
}
