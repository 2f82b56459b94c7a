import { tryParseJson, UpstreamError } from '../errors.js';
import type { SseEvent } from '../sse-decoder.js';
import type { StreamDecoder, StreamPart } from '../types.js';
import { convertAnthropicUsage } from './convert-usage.js';
import { mapAnthropicStopReason } from './map-stop-reason.js';
import { anthropicErrorFromEvent } from './parse-error.js';
import { anthropicStreamEventSchema, type AnthropicUsage } from './wire-schemas.js';

/**
 * Anthropic's event sequence (message_start, content_block_*, message_delta, message_stop,
 * ping, error) → neutral parts. Input tokens come at the start, output tokens at the end.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  finished = false;
  private inputUsage: AnthropicUsage = {};

  decode(event: SseEvent): StreamPart[] {
    const parsed = anthropicStreamEventSchema.safeParse(tryParseJson(event.data));
    if (!parsed.success) {
      // Newer event types are skipped rather than failing the stream; unparseable JSON is fatal.
      if (tryParseJson(event.data) === undefined) {
        throw new UpstreamError({ provider: 'anthropic', kind: 'protocol', message: 'unparseable stream event' });
      }
      return [];
    }
    const ev = parsed.data;
    switch (ev.type) {
      case 'message_start': {
        if (ev.message.usage) this.inputUsage = ev.message.usage;
        return ev.message.model ? [{ type: 'model', model: ev.message.model }] : [];
      }
      case 'content_block_start':
        return ev.content_block.type === 'text' && ev.content_block.text ? [{ type: 'text-delta', text: ev.content_block.text }] : [];
      case 'content_block_delta':
        return ev.delta.type === 'text_delta' && ev.delta.text ? [{ type: 'text-delta', text: ev.delta.text }] : [];
      case 'message_delta': {
        const parts: StreamPart[] = [{ type: 'finish', finishReason: mapAnthropicStopReason(ev.delta.stop_reason) }];
        parts.push({ type: 'usage', usage: convertAnthropicUsage(this.inputUsage, ev.usage?.output_tokens) });
        return parts;
      }
      case 'message_stop':
        this.finished = true;
        return [];
      case 'error':
        throw anthropicErrorFromEvent(ev.error);
      default:
        return [];
    }
  }
}
