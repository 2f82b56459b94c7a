/**
 * A hand-written reader for a whole `chat.completion`, on every non-streamed answer from an
 * OpenAI-compatible upstream. It accepts only what `openAIChatResponseSchema` accepts and returns
 * what the schema returns (test/providers/read-response.test.ts holds it to both on generated
 * bodies); anything else goes to the schema, which words the error.
 */
import type { z } from 'zod';
import type { openAIChatResponseSchema } from './wire-schemas.js';
import { isNullishString, isNumber, isObject } from './read-values.js';

export type OpenAIChatResponse = z.infer<typeof openAIChatResponseSchema>;
type Choice = OpenAIChatResponse['choices'][number];
type Message = Choice['message'];
type ToolCall = NonNullable<Message['tool_calls']>[number];

/** The response's fields we use, or undefined when it is not plainly of the expected shape. */
export function readOpenAIResponse(value: unknown): OpenAIChatResponse | undefined {
  if (!isObject(value)) return undefined;
  const { id, model, choices, usage } = value;
  if ((id !== undefined && typeof id !== 'string') || (model !== undefined && typeof model !== 'string')) return undefined;
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  const readChoices: Choice[] = [];
  for (let i = 0; i < choices.length; i++) {
    const choice = i in choices ? readChoice(choices[i]) : undefined;
    if (!choice) return undefined;
    readChoices.push(choice);
  }
  const out: OpenAIChatResponse = { choices: readChoices };
  if (id !== undefined) out.id = id;
  if (model !== undefined) out.model = model;
  if (usage !== undefined) {
    if (usage === null) out.usage = null;
    else {
      if (!isObject(usage) || !isNumber(usage.prompt_tokens) || !isNumber(usage.completion_tokens)) return undefined;
      if (usage.total_tokens !== undefined && !isNumber(usage.total_tokens)) return undefined;
      out.usage = { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens };
      if (usage.total_tokens !== undefined) out.usage.total_tokens = usage.total_tokens;
      if (usage.prompt_tokens_details !== undefined) out.usage.prompt_tokens_details = usage.prompt_tokens_details;
    }
  }
  return out;
}

function readChoice(value: unknown): Choice | undefined {
  if (!isObject(value) || !isObject(value.message) || !isNullishString(value.finish_reason)) return undefined;
  const m = value.message;
  if (!isNullishString(m.content) || !isNullishString(m.refusal)) return undefined;
  const message: Message = {};
  if (m.content !== undefined) message.content = m.content;
  if (m.refusal !== undefined) message.refusal = m.refusal;
  if (m.tool_calls !== undefined) {
    if (m.tool_calls === null) message.tool_calls = null;
    else {
      if (!Array.isArray(m.tool_calls)) return undefined;
      const calls: ToolCall[] = [];
      for (let i = 0; i < m.tool_calls.length; i++) {
        const c: unknown = m.tool_calls[i];
        if (!(i in m.tool_calls) || !isObject(c) || typeof c.id !== 'string' || !isObject(c.function)) return undefined;
        const { name, arguments: args } = c.function;
        if (typeof name !== 'string' || typeof args !== 'string') return undefined;
        calls.push({ id: c.id, function: { name, arguments: args } });
      }
      message.tool_calls = calls;
    }
  }
  const choice: Choice = { message };
  if (value.finish_reason !== undefined) choice.finish_reason = value.finish_reason;
  return choice;
}
