import { tryParseJson, UpstreamError } from '../errors.js';
import type { SseEvent } from '../sse-decoder.js';
import type { ProviderId, StreamDecoder, StreamPart } from '../types.js';
import { convertOpenAIUsage } from './convert-usage.js';
import { mapOpenAIFinishReason } from './map-finish-reason.js';
import { inBandOpenAIError } from './parse-error.js';
import { readOpenAIChunk } from './read-chunk.js';

/** OpenAI-compatible `chat.completion.chunk` events → neutral parts. */
export class OpenAIStreamDecoder implements StreamDecoder {
  finished = false;
  private modelReported = false;
  private sawToolCall = false;

  constructor(private readonly provider: ProviderId) {}

  decode(event: SseEvent): StreamPart[] {
    if (event.data === '[DONE]') {
      this.finished = true;
      return [];
    }
    const chunk = readOpenAIChunk(tryParseJson(event.data));
    if (!chunk) throw new UpstreamError({ provider: this.provider, kind: 'protocol', message: 'unparseable stream chunk' });
    if (chunk.error) throw inBandOpenAIError(this.provider, chunk.error);
    const parts: StreamPart[] = [];
    if (!this.modelReported && chunk.model) {
      this.modelReported = true;
      parts.push({ type: 'model', model: chunk.model });
    }
    if (chunk.text) parts.push({ type: 'text-delta', text: chunk.text });
    if (chunk.toolCalls) {
      this.sawToolCall = true;
      for (const call of chunk.toolCalls) {
        const part: StreamPart = { type: 'tool-call-delta', index: call.index, argumentsDelta: call.arguments ?? '' };
        if (call.id !== undefined) part.id = call.id;
        if (call.name !== undefined) part.name = call.name;
        parts.push(part);
      }
    }
    if (chunk.finishReason) {
      const reason = mapOpenAIFinishReason(chunk.finishReason);
      // A call forced by tool_choice ends with "stop" upstream: clients look for tool_calls.
      parts.push({ type: 'finish', finishReason: reason === 'stop' && this.sawToolCall ? 'tool_calls' : reason });
    }
    if (chunk.usage) parts.push({ type: 'usage', usage: convertOpenAIUsage(chunk.usage) });
    return parts;
  }
}
