/**
 * Neutral call → OpenAI Chat Completions request body.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import { cacheMarksDropped, hasCacheMarks, withoutCacheMarks } from '../prompt-cache-marks.js';
import { plainToolCallId } from '../tool-call-id.js';
import type { CacheControl, ChatCall, ChatMessage, ContentPart, ProviderId, ResponseFormat, ToolChoice } from '../types.js';

export interface OpenAIBodyOptions {
  id: ProviderId;
  /** OpenAI itself wants `max_completion_tokens` (reasoning models refuse `max_tokens`); OpenRouter documents `max_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Whether the upstream understands the `developer` role; if not it is sent as `system`. */
  developerRole: boolean;
  /**
   * Whether the upstream takes Anthropic's `cache_control` breakpoints on content parts and tools
   * (OpenRouter passes them on to the providers that cache so); others cache by themselves.
   */
  cacheMarks: boolean;
}

const withMark = (out: Record<string, unknown>, mark: CacheControl | undefined) => (mark ? { ...out, cache_control: { ...mark } } : out);

function openAIPart(part: ContentPart): Record<string, unknown> {
  if (part.type === 'text') return withMark({ type: 'text', text: part.text }, part.cacheControl);
  const url = part.image.kind === 'data' ? `data:${part.image.mediaType};base64,${part.image.data}` : part.image.url;
  return withMark({ type: 'image_url', image_url: part.detail === undefined ? { url } : { url, detail: part.detail } }, part.cacheControl);
}

/** The content, as parts when it has more than text or a breakpoint to carry (the turn's own goes on its last part). */
function openAIContent(m: ChatMessage): string | Array<Record<string, unknown>> {
  if (!m.parts && !m.cacheControl) return m.content;
  const parts = (m.parts ?? [{ type: 'text', text: m.content }]).map(openAIPart);
  const last = parts[parts.length - 1];
  if (m.cacheControl && last && last.cache_control === undefined) parts[parts.length - 1] = withMark(last, m.cacheControl);
  return parts;
}

function openAIMessage(m: ChatMessage, options: OpenAIBodyOptions): Record<string, unknown> {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: plainToolCallId(m.toolCallId ?? ''), content: openAIContent(m) };
  const role = m.role === 'developer' && !options.developerRole ? 'system' : m.role;
  const out: Record<string, unknown> = { role, content: openAIContent(m) };
  if (m.toolCalls !== undefined && m.toolCalls.length > 0) {
    // An answer that only calls tools has null content.
    if (m.content === '') out.content = null;
    out.tool_calls = m.toolCalls.map((c) => ({ id: plainToolCallId(c.id), type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  if (m.name !== undefined) out.name = m.name;
  return out;
}

export function openAIToolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

export function openAIResponseFormat(format: ResponseFormat): Record<string, unknown> {
  if (format.type === 'json_object') return { type: 'json_object' };
  const json_schema: Record<string, unknown> = { name: format.name, schema: format.schema };
  if (format.description !== undefined) json_schema.description = format.description;
  if (format.strict !== undefined) json_schema.strict = format.strict;
  return { type: 'json_schema', json_schema };
}

/** `warnings` receives what the upstream could not be sent as asked. */
export function buildOpenAIChatBody(call: ChatCall, options: OpenAIBodyOptions, warnings: string[]): Record<string, unknown> {
  const marks = hasCacheMarks(call.messages, call.params);
  if (marks && !options.cacheMarks) warnings.push(cacheMarksDropped(options.id));
  const keepMarks = marks && options.cacheMarks;
  if (keepMarks && call.messages.some((m) => m.toolCalls?.some((c) => c.cacheControl))) warnings.push('cache_control on a tool call was dropped: OpenAI-format tool calls cannot carry one');
  const messages = marks && !keepMarks ? withoutCacheMarks(call.messages) : call.messages;
  const body: Record<string, unknown> = {
    ...call.params.openaiExtras,
    model: call.model,
    messages: messages.map((m) => openAIMessage(m, options)),
  };
  const p = call.params;
  if (p.temperature !== undefined) body.temperature = p.temperature;
  if (p.topP !== undefined) body.top_p = p.topP;
  if (p.maxTokens !== undefined) body[options.maxTokensField] = p.maxTokens;
  if (p.stop !== undefined && p.stop.length > 0) body.stop = p.stop;
  if (p.tools !== undefined && p.tools.length > 0) {
    body.tools = p.tools.map((t) => {
      const fn: Record<string, unknown> = { name: t.name };
      if (t.description !== undefined) fn.description = t.description;
      if (t.parameters !== undefined) fn.parameters = t.parameters;
      if (t.strict !== undefined) fn.strict = t.strict;
      return withMark({ type: 'function', function: fn }, keepMarks ? t.cacheControl : undefined);
    });
    if (p.parallelToolCalls !== undefined) body.parallel_tool_calls = p.parallelToolCalls;
  }
  if (p.toolChoice !== undefined) body.tool_choice = openAIToolChoice(p.toolChoice);
  if (p.responseFormat !== undefined) body.response_format = openAIResponseFormat(p.responseFormat);
  if (keepMarks && p.cacheControl) body.cache_control = { ...p.cacheControl };
  if (call.stream) {
    body.stream = true;
    // Always ask for usage: the gateway needs it for costs and logs even when the caller does not.
    body.stream_options = { include_usage: true };
  }
  return body;
}
