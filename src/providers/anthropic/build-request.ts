/**
 * Neutral call → Anthropic Messages request body.
 * @see https://docs.anthropic.com/en/api/messages
 */
import type { ChatCall, ChatMessage } from '../types.js';

export interface AnthropicBody {
  body: Record<string, unknown>;
  warnings: string[];
}

/** OpenAI-only parameters Anthropic has no equivalent for. */
function extrasWarnings(call: ChatCall): string[] {
  return Object.keys(call.params.openaiExtras ?? {}).map((k) => `${k} is not supported by anthropic and was ignored`);
}

/**
 * System and developer turns become the top-level `system`; the rest alternate user/assistant,
 * so consecutive turns of one role are merged (the API rejects them otherwise). Empty turns and
 * answers before the first question are refused upstream, so they are left out, and said so.
 */
export function toAnthropicMessages(messages: ChatMessage[]): {
  system: string | undefined;
  messages: Array<{ role: 'user' | 'assistant'; content: string }>;
  warnings: string[];
} {
  const system: string[] = [];
  const out: Array<{ role: 'user' | 'assistant'; content: string }> = [];
  const warnings: string[] = [];
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') {
      if (m.content !== '') system.push(m.content);
      continue;
    }
    if (m.content === '') {
      warnings.push(`an empty ${m.role} message was left out (anthropic refuses empty text)`);
      continue;
    }
    if (out.length === 0 && m.role === 'assistant') {
      warnings.push('assistant messages before the first user message were left out (anthropic requires a user message first)');
      continue;
    }
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content = `${last.content}\n\n${m.content}`;
    else out.push({ role: m.role, content: m.content });
  }
  return { system: system.length > 0 ? system.join('\n\n') : undefined, messages: out, warnings };
}

export function buildAnthropicBody(call: ChatCall, defaultMaxTokens: number): AnthropicBody {
  const { system, messages, warnings: messageWarnings } = toAnthropicMessages(call.messages);
  const warnings = [...extrasWarnings(call), ...messageWarnings];
  const p = call.params;
  const body: Record<string, unknown> = {
    model: call.model,
    // Required upstream; OpenAI makes it optional, so a default stands in.
    max_tokens: p.maxTokens ?? defaultMaxTokens,
    messages,
  };
  if (system !== undefined) body.system = system;
  if (p.temperature !== undefined) {
    // OpenAI allows 0–2; Anthropic 0–1.
    if (p.temperature > 1) warnings.push(`temperature ${p.temperature} exceeds anthropic's maximum of 1 and was sent as 1`);
    body.temperature = Math.min(p.temperature, 1);
  }
  if (p.topP !== undefined) {
    // Current Claude models refuse temperature and top_p together.
    if (p.temperature !== undefined) warnings.push('top_p was ignored: anthropic accepts temperature or top_p, not both');
    else body.top_p = p.topP;
  }
  if (p.stop !== undefined && p.stop.length > 0) body.stop_sequences = p.stop;
  if (call.stream) body.stream = true;
  return { body, warnings };
}
