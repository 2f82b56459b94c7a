/**
 * The Anthropic Messages wire format.
 * @see https://docs.anthropic.com/en/api/messages
 */
import { hasField, UpstreamError } from '../errors.js';
import type { ChatCall, ChatResult, ProviderAdapter } from '../types.js';
import { buildAnthropicBody, jsonToolName } from './build-request.js';
import { convertAnthropicUsage } from './convert-usage.js';
import { mapAnthropicStopReason } from './map-stop-reason.js';
import { anthropicErrorFromEvent, parseAnthropicError } from './parse-error.js';
import { AnthropicStreamDecoder } from './stream-decoder.js';
import { anthropicErrorSchema, anthropicMessageSchema } from './wire-schemas.js';

/** The API version this adapter speaks. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** The forced tool carrying a JSON answer, when the call asked for JSON and brought no tools of its own. */
const answerTool = (call: ChatCall) => ((call.params.tools?.length ?? 0) === 0 ? jsonToolName(call.params.responseFormat) : undefined);

export interface AnthropicAdapterOptions {
  /** `max_tokens` when the caller gives none (the API requires one). */
  defaultMaxTokens: number;
}

export function createAnthropicAdapter(options: AnthropicAdapterOptions): ProviderAdapter {
  return {
    id: 'anthropic',
    // @see https://docs.anthropic.com/en/api/models-list
    keyPattern: /^sk-ant-[A-Za-z0-9_-]{20,}$/,
    buildKeyCheck: (credentials) => ({
      method: 'GET',
      url: `${credentials.baseUrl.replace(/\/+$/, '')}/v1/models?limit=1`,
      headers: { 'x-api-key': credentials.apiKey, 'anthropic-version': ANTHROPIC_VERSION },
    }),
    buildRequest(call, credentials) {
      const { body, warnings } = buildAnthropicBody(call, options.defaultMaxTokens);
      return {
        http: {
          url: `${credentials.baseUrl.replace(/\/+$/, '')}/v1/messages`,
          headers: {
            'content-type': 'application/json',
            'x-api-key': credentials.apiKey,
            'anthropic-version': ANTHROPIC_VERSION,
            ...(call.stream ? { accept: 'text/event-stream' } : {}),
          },
          body: JSON.stringify(body),
        },
        warnings,
      };
    },
    parseResponse(body, call): ChatResult {
      if (hasField(body, 'error')) {
        const inBand = anthropicErrorSchema.safeParse(body);
        if (inBand.success) throw anthropicErrorFromEvent(inBand.data.error);
      }
      const parsed = anthropicMessageSchema.safeParse(body);
      if (!parsed.success) {
        throw new UpstreamError({ provider: 'anthropic', kind: 'protocol', message: 'unexpected response shape' });
      }
      const msg = parsed.data;
      const jsonTool = answerTool(call);
      let text = '';
      let json: string | undefined;
      const toolCalls: NonNullable<ChatResult['toolCalls']> = [];
      for (const block of msg.content) {
        if (block.type === 'text') text += block.text ?? '';
        else if (block.type === 'tool_use' && block.name !== undefined) {
          const args = JSON.stringify(block.input ?? {});
          if (block.name === jsonTool) json = args;
          else toolCalls.push({ id: block.id ?? '', name: block.name, arguments: args });
        }
      }
      const result: ChatResult = {
        model: msg.model ?? call.model,
        // With JSON asked for through the forced tool, its input is the answer.
        text: json ?? text,
        finishReason: json !== undefined && msg.stop_reason === 'tool_use' ? 'stop' : mapAnthropicStopReason(msg.stop_reason),
        usage: convertAnthropicUsage(msg.usage),
      };
      if (toolCalls.length > 0) result.toolCalls = toolCalls;
      if (msg.id !== undefined) result.upstreamId = msg.id;
      return result;
    },
    createStreamDecoder: (call) => new AnthropicStreamDecoder(answerTool(call)),
    parseError: parseAnthropicError,
  };
}
