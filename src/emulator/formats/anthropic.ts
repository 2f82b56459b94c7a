/** Anthropic Messages: the request checks and event sequence of the real API. */
import type { EmulatedAnswer, EmulatedPrompt } from '../answer.js';
import { asRecord, contentText, responseIds, sse, type EmulatedFormat } from './types.js';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const errorType = (status: number) => ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
/** Usage as the real API reports it, with its always-present (often null) fields. */
const fullUsage = (input: number, output: number) => ({
  input_tokens: input,
  output_tokens: output,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation: null,
  server_tool_use: null,
  service_tier: 'standard',
  inference_geo: null,
});

const stopReason = (a: EmulatedAnswer) => (a.finish === 'length' ? 'max_tokens' : 'end_turn');

export function anthropicFormat(): EmulatedFormat {
  const id = responseIds('msg_emu_');
  return {
    readPrompt(raw) {
      const body = asRecord(raw);
      if (typeof body.model !== 'string') throw new Error('model: Field required');
      if (typeof body.max_tokens !== 'number') throw new Error('max_tokens: Field required');
      if (!Array.isArray(body.messages)) throw new Error('messages: Field required');
      if (typeof body.temperature === 'number' && (body.temperature < 0 || body.temperature > 1)) throw new Error('temperature: must be between 0 and 1');
      if (body.temperature !== undefined && body.top_p !== undefined) throw new Error('temperature and top_p cannot both be specified for this model');
      const turns: Array<{ role: string; text: string }> = [];
      if (typeof body.system === 'string') turns.push({ role: 'system', text: body.system });
      let previous = '';
      for (const m of body.messages as Array<{ role?: unknown; content?: unknown }>) {
        if (m.role !== 'user' && m.role !== 'assistant') throw new Error(`messages: Unexpected role "${String(m.role)}"`);
        if (m.role === previous) throw new Error('messages: roles must alternate between "user" and "assistant"');
        previous = m.role;
        turns.push({ role: m.role, text: contentText(m.content) });
      }
      return { model: body.model, turns, maxTokens: body.max_tokens, stream: body.stream === true };
    },
    authorized: (headers) => typeof headers['x-api-key'] === 'string' && headers['x-api-key'] !== '' && typeof headers['anthropic-version'] === 'string',
    response: (p, a) => ({
      id: id(p),
      type: 'message',
      role: 'assistant',
      model: p.model,
      content: [{ type: 'text', text: a.pieces.join(''), citations: null }],
      stop_reason: stopReason(a),
      stop_sequence: null,
      stop_details: null,
      container: null,
      usage: fullUsage(a.promptTokens, a.completionTokens),
    }),
    streamStart: (p, a) => [
      sse(
        { type: 'message_start', message: { id: id(p), type: 'message', role: 'assistant', model: p.model, content: [], stop_reason: null, stop_sequence: null, stop_details: null, container: null, usage: fullUsage(a.promptTokens, 1) } },
        'message_start',
      ),
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '', citations: null } }, 'content_block_start'),
      sse({ type: 'ping' }, 'ping'),
    ],
    streamPiece: (_p, piece) => sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }, 'content_block_delta'),
    streamEnd: (_p, a) => [
      sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
      sse(
        {
          type: 'message_delta',
          delta: { stop_reason: stopReason(a), stop_sequence: null, stop_details: null, container: null },
          usage: { input_tokens: a.promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: a.completionTokens, server_tool_use: null },
        },
        'message_delta',
      ),
      sse({ type: 'message_stop' }, 'message_stop'),
    ],
    streamError: (_p, status, message) => sse({ type: 'error', error: { type: errorType(status), message } }, 'error'),
    errorBody: (status, message) => ({ type: 'error', error: { type: errorType(status), message } }),
  };
}
