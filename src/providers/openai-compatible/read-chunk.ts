/**
 * A hand-written reader for `chat.completion.chunk`, the gateway's hottest parse: a stream sends
 * one per token batch, and a schema library's generic walk costs several times this. It checks the
 * same narrow shape as `openAIChatChunkSchema` (which the tests hold it to) and nothing more.
 */
import type { OpenAIUsage } from './wire-schemas.js';
import { isNullishString, isNumber, isObject } from './read-values.js';

export interface OpenAIToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  arguments?: string;
}

export interface OpenAIChunk {
  model?: string;
  text?: string;
  toolCalls?: OpenAIToolCallDelta[];
  finishReason?: string;
  usage?: OpenAIUsage;
  error?: { message?: string; code?: string | number | null };
}

/** The chunk's fields we use, or undefined if it is not a chunk of the expected shape. */
export function readOpenAIChunk(value: unknown): OpenAIChunk | undefined {
  if (!isObject(value)) return undefined;
  const out: OpenAIChunk = {};
  const { model, choices, usage, error } = value;
  if (error !== undefined) {
    if (!isObject(error)) return undefined;
    const code = error.code;
    if (!isNullishString(error.message) || !(code === undefined || code === null || typeof code === 'string' || typeof code === 'number')) return undefined;
    out.error = {};
    if (typeof error.message === 'string') out.error.message = error.message;
    if (code !== undefined) out.error.code = code;
    return out;
  }
  if (!isNullishString(model)) return undefined;
  if (typeof model === 'string') out.model = model;
  if (choices !== undefined) {
    if (!Array.isArray(choices)) return undefined;
    const choice: unknown = choices[0];
    if (choice !== undefined) {
      if (!isObject(choice)) return undefined;
      const { delta, finish_reason } = choice;
      if (!isNullishString(finish_reason)) return undefined;
      if (finish_reason) out.finishReason = finish_reason;
      if (delta !== undefined && delta !== null) {
        if (!isObject(delta) || !isNullishString(delta.content) || !isNullishString(delta.refusal)) return undefined;
        const text = delta.content ?? delta.refusal;
        if (text) out.text = text;
        if (delta.tool_calls !== undefined && delta.tool_calls !== null) {
          const calls = readToolCallDeltas(delta.tool_calls);
          if (calls === undefined) return undefined;
          if (calls.length > 0) out.toolCalls = calls;
        }
      }
    }
  }
  if (usage !== undefined && usage !== null) {
    if (!isObject(usage) || !isNumber(usage.prompt_tokens) || !isNumber(usage.completion_tokens)) return undefined;
    if (usage.total_tokens !== undefined && !isNumber(usage.total_tokens)) return undefined;
    out.usage = { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens };
    if (typeof usage.total_tokens === 'number') out.usage.total_tokens = usage.total_tokens;
    if (usage.prompt_tokens_details !== undefined) out.usage.prompt_tokens_details = usage.prompt_tokens_details;
  }
  return out;
}

function readToolCallDeltas(value: unknown): OpenAIToolCallDelta[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: OpenAIToolCallDelta[] = [];
  for (const item of value) {
    if (!isObject(item) || typeof item.index !== 'number' || !Number.isInteger(item.index) || item.index < 0 || !isNullishString(item.id)) return undefined;
    const call: OpenAIToolCallDelta = { index: item.index };
    if (typeof item.id === 'string') call.id = item.id;
    const fn = item.function;
    if (fn !== undefined && fn !== null) {
      if (!isObject(fn) || !isNullishString(fn.name) || !isNullishString(fn.arguments)) return undefined;
      if (typeof fn.name === 'string') call.name = fn.name;
      if (typeof fn.arguments === 'string') call.arguments = fn.arguments;
    }
    out.push(call);
  }
  return out;
}
