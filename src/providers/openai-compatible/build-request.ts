/**
 * Neutral call → OpenAI Chat Completions request body.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import type { ChatCall } from '../types.js';

export interface OpenAIBodyOptions {
  /** OpenAI itself wants `max_completion_tokens` (reasoning models refuse `max_tokens`); OpenRouter documents `max_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Whether the upstream understands the `developer` role; if not it is sent as `system`. */
  developerRole: boolean;
}

export function buildOpenAIChatBody(call: ChatCall, options: OpenAIBodyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...call.params.openaiExtras,
    model: call.model,
    messages: call.messages.map((m) => {
      const role = m.role === 'developer' && !options.developerRole ? 'system' : m.role;
      return m.name === undefined ? { role, content: m.content } : { role, content: m.content, name: m.name };
    }),
  };
  const p = call.params;
  if (p.temperature !== undefined) body.temperature = p.temperature;
  if (p.topP !== undefined) body.top_p = p.topP;
  if (p.maxTokens !== undefined) body[options.maxTokensField] = p.maxTokens;
  if (p.stop !== undefined && p.stop.length > 0) body.stop = p.stop;
  if (call.stream) {
    body.stream = true;
    // Always ask for usage: the gateway needs it for costs and logs even when the caller does not.
    body.stream_options = { include_usage: true };
  }
  return body;
}
