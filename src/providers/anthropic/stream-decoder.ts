import { tryParseJson, UpstreamError } from '../errors.js';
import type { SseEvent } from '../sse-decoder.js';
import type { StreamDecoder, StreamPart } from '../types.js';
import { convertAnthropicUsage } from './convert-usage.js';
import { mapAnthropicStopReason } from './map-stop-reason.js';
import { anthropicErrorFromEvent } from './parse-error.js';
import { anthropicStreamEventSchema, type AnthropicUsage } from './wire-schemas.js';

/** message_delta's counts are cumulative and may restate the prompt's: those it gives win over message_start's. */
function latestUsage(start: AnthropicUsage, end: AnthropicUsage | undefined): AnthropicUsage {
  if (!end) return start;
  return {
    ...start,
    ...(end.input_tokens != null ? { input_tokens: end.input_tokens } : {}),
    ...(end.cache_read_input_tokens != null ? { cache_read_input_tokens: end.cache_read_input_tokens } : {}),
    ...(end.cache_creation_input_tokens != null ? { cache_creation_input_tokens: end.cache_creation_input_tokens } : {}),
    ...(end.cache_creation != null ? { cache_creation: end.cache_creation } : {}),
  };
}

/**
 * Anthropic's event sequence (message_start, content_block_*, message_delta, message_stop,
 * ping, error) → neutral parts. Input and cache tokens come at the start, output tokens at the end.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  finished = false;
  private inputUsage: AnthropicUsage = {};
  /** Content block index → tool call index, for the blocks that are tool calls. */
  private readonly toolBlocks = new Map<number, number>();
  /** Tool blocks that have streamed argument text (one without any took no arguments: `{}`). */
  private readonly withArguments = new Set<number>();
  /** The block carrying a JSON answer (see `jsonTool`): its input streams out as text. */
  private jsonBlock: number | undefined;

  /** `jsonTool`: the forced tool whose input is the answer when the caller asked for JSON. */
  constructor(private readonly jsonTool?: string) {}

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
      case 'content_block_start': {
        const block = ev.content_block;
        if (block.type === 'tool_use' && block.name !== undefined) {
          if (block.name === this.jsonTool) {
            this.jsonBlock = ev.index;
            return [];
          }
          const index = this.toolBlocks.size;
          this.toolBlocks.set(ev.index, index);
          return [{ type: 'tool-call-delta', index, id: block.id ?? '', name: block.name, argumentsDelta: '' }];
        }
        return block.type === 'text' && block.text ? [{ type: 'text-delta', text: block.text }] : [];
      }
      case 'content_block_delta': {
        const { delta } = ev;
        if (delta.type === 'input_json_delta' && delta.partial_json) {
          if (ev.index === this.jsonBlock) return [{ type: 'text-delta', text: delta.partial_json }];
          const index = this.toolBlocks.get(ev.index);
          if (index === undefined) return [];
          this.withArguments.add(ev.index);
          return [{ type: 'tool-call-delta', index, argumentsDelta: delta.partial_json }];
        }
        return delta.type === 'text_delta' && delta.text ? [{ type: 'text-delta', text: delta.text }] : [];
      }
      case 'content_block_stop': {
        const index = this.toolBlocks.get(ev.index);
        return index !== undefined && !this.withArguments.has(ev.index) ? [{ type: 'tool-call-delta', index, argumentsDelta: '{}' }] : [];
      }
      case 'message_delta': {
        const reason = this.jsonBlock !== undefined && ev.delta.stop_reason === 'tool_use' ? 'stop' : mapAnthropicStopReason(ev.delta.stop_reason);
        const parts: StreamPart[] = [{ type: 'finish', finishReason: reason }];
        parts.push({ type: 'usage', usage: convertAnthropicUsage(latestUsage(this.inputUsage, ev.usage), ev.usage?.output_tokens) });
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
