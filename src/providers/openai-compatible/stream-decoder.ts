import { tryParseJson, UpstreamError } from '../errors.js';
import type { SseEvent } from '../sse-decoder.js';
import type { ProviderId, StreamDecoder, StreamPart } from '../types.js';
import { convertOpenAIUsage } from './convert-usage.js';
import { mapOpenAIFinishReason } from './map-finish-reason.js';
import { inBandOpenAIError } from './parse-error.js';
import { openAIChatChunkSchema } from './wire-schemas.js';

/** OpenAI-compatible `chat.completion.chunk` events → neutral parts. */
export class OpenAIStreamDecoder implements StreamDecoder {
  finished = false;
  private modelReported = false;

  constructor(private readonly provider: ProviderId) {}

  decode(event: SseEvent): StreamPart[] {
    if (event.data === '[DONE]') {
      this.finished = true;
      return [];
    }
    const parsed = openAIChatChunkSchema.safeParse(tryParseJson(event.data));
    if (!parsed.success) {
      throw new UpstreamError({ provider: this.provider, kind: 'protocol', message: 'unparseable stream chunk' });
    }
    const chunk = parsed.data;
    if (chunk.error) throw inBandOpenAIError(this.provider, chunk.error);
    const parts: StreamPart[] = [];
    if (!this.modelReported && chunk.model) {
      this.modelReported = true;
      parts.push({ type: 'model', model: chunk.model });
    }
    const choice = chunk.choices?.[0];
    const text = choice?.delta?.content ?? choice?.delta?.refusal;
    if (text) parts.push({ type: 'text-delta', text });
    if (choice?.finish_reason) parts.push({ type: 'finish', finishReason: mapOpenAIFinishReason(choice.finish_reason) });
    if (chunk.usage) parts.push({ type: 'usage', usage: convertOpenAIUsage(chunk.usage) });
    return parts;
  }
}
