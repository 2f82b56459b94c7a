/**
 * The Anthropic Messages wire shapes the /v1/messages entrance answers with: the message, the
 * stream's events, and errors. Only the HTTP edge produces them.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import { anthropicErrorType } from '../providers/anthropic/error-types.js';
import { parseArgumentsObject } from '../providers/tool-arguments.js';
import type { ChatResult, FinishReason, StreamPart, Usage } from '../providers/types.js';

const STOP_REASONS: Record<FinishReason, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' };

export const anthropicStopReason = (reason: FinishReason) => STOP_REASONS[reason];

/** The prompt's tokens as Anthropic counts them: `input_tokens` excludes those read from the cache or written to it. */
function promptCounts(usage: Usage | undefined) {
  const read = usage?.cacheReadTokens ?? 0;
  const write = usage?.cacheWriteTokens ?? 0;
  return { input_tokens: Math.max(0, (usage?.promptTokens ?? 0) - read - write), cache_creation_input_tokens: write, cache_read_input_tokens: read };
}

/** Usage with every field the API always sends (null where the gateway has nothing to say). */
const usageOf = (usage: Usage | undefined) => {
  const write1h = usage?.cacheWrite1hTokens ?? 0;
  const counts = promptCounts(usage);
  return {
    ...counts,
    output_tokens: usage?.completionTokens ?? 0,
    cache_creation: { ephemeral_5m_input_tokens: counts.cache_creation_input_tokens - write1h, ephemeral_1h_input_tokens: write1h },
    server_tool_use: null,
    service_tier: null,
    inference_geo: null,
  };
};

/** The stream's last usage: cumulative, the prompt's counts included (message_start went out before the upstream gave them). */
const deltaUsage = (usage: Usage | undefined) => ({ ...promptCounts(usage), output_tokens: usage?.completionTokens ?? 0, server_tool_use: null });

const textBlock = (text: string) => ({ type: 'text', text, citations: null });
const toolUseBlock = (id: string, name: string, input: Record<string, unknown>) => ({ type: 'tool_use', id, name, input, caller: { type: 'direct' } });

export function anthropicMessage(id: string, result: ChatResult) {
  const content: Array<Record<string, unknown>> = [];
  if (result.text !== '' || !result.toolCalls?.length) content.push(textBlock(result.text));
  for (const call of result.toolCalls ?? []) content.push(toolUseBlock(call.id, call.name, parseArgumentsObject(call.arguments) ?? {}));
  return {
    id,
    type: 'message' as const,
    role: 'assistant' as const,
    model: result.model,
    content,
    stop_reason: anthropicStopReason(result.finishReason),
    stop_sequence: null,
    stop_details: null,
    container: null,
    usage: usageOf(result.usage),
  };
}

export function anthropicError(status: number, message: string, requestId: string | null = null) {
  return { type: 'error' as const, error: { type: anthropicErrorType(status), message }, request_id: requestId };
}

export type AnthropicEvent = { event: string; data: Record<string, unknown> };

/**
 * Neutral stream parts → Anthropic events. Blocks are opened and closed in order: text, then each
 * tool call as a tool_use block whose input streams as JSON pieces.
 */
export class AnthropicEventEncoder {
  private index = -1;
  private open: 'text' | 'tool' | undefined;
  private readonly toolBlocks = new Map<number, number>();

  constructor(
    private readonly id: string,
    private readonly model: string,
  ) {}

  start(): AnthropicEvent[] {
    return [
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: {
            id: this.id,
            type: 'message',
            role: 'assistant',
            model: this.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            stop_details: null,
            container: null,
            // Known only at the end; message_delta carries the counts, but not their split by lifetime.
            usage: { ...usageOf(undefined), cache_creation: null },
          },
        },
      },
    ];
  }

  private close(out: AnthropicEvent[]): void {
    if (this.open !== undefined) out.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: this.index } });
    this.open = undefined;
  }

  part(part: StreamPart): AnthropicEvent[] {
    const out: AnthropicEvent[] = [];
    if (part.type === 'text-delta') {
      if (part.text === '') return out;
      if (this.open !== 'text') {
        this.close(out);
        this.open = 'text';
        out.push({ event: 'content_block_start', data: { type: 'content_block_start', index: ++this.index, content_block: textBlock('') } });
      }
      out.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index: this.index, delta: { type: 'text_delta', text: part.text } } });
    } else if (part.type === 'tool-call-delta') {
      if (part.name !== undefined && !this.toolBlocks.has(part.index)) {
        this.close(out);
        this.open = 'tool';
        this.toolBlocks.set(part.index, ++this.index);
        out.push({ event: 'content_block_start', data: { type: 'content_block_start', index: this.index, content_block: toolUseBlock(part.id ?? '', part.name, {}) } });
      }
      const index = this.toolBlocks.get(part.index);
      if (index !== undefined && part.argumentsDelta !== '') {
        out.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part.argumentsDelta } } });
      }
    }
    return out;
  }

  end(finish: FinishReason, usage: Usage | undefined): AnthropicEvent[] {
    const out: AnthropicEvent[] = [];
    // An answer with no content at all still has its (empty) text block.
    if (this.index === -1) {
      out.push({ event: 'content_block_start', data: { type: 'content_block_start', index: ++this.index, content_block: textBlock('') } });
      this.open = 'text';
    }
    this.close(out);
    out.push({
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason: anthropicStopReason(finish), stop_sequence: null, stop_details: null, container: null }, usage: deltaUsage(usage) },
    });
    out.push({ event: 'message_stop', data: { type: 'message_stop' } });
    return out;
  }
}
