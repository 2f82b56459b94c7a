/** The emulated model's answer: deterministic, and telling of what it was sent. */
import { fillSchema } from './fill-schema.js';
import { NO_CACHE_USE, type CacheablePrompt, type CacheUse } from './prompt-cache.js';

export interface EmulatedTool {
  name: string;
  /** Its parameters' JSON Schema. */
  schema: unknown;
}

export interface EmulatedPrompt {
  model: string;
  /** Every turn's text, in order, as the upstream received them (tool results have role `tool`). */
  turns: Array<{ role: string; text: string }>;
  maxTokens: number | undefined;
  /** The functions the request offers. */
  tools?: EmulatedTool[];
  /** A function the request forces a call to (tool_choice naming one, or "required"/"any"). */
  forcedTool?: string;
  /** JSON output asked for, with its schema if one was given. */
  json?: { schema?: unknown };
  /** Images the request carried, by media type. */
  images?: string[];
  /** The prefixes the request marked for the provider's prompt cache (Anthropic's `cache_control`). */
  cacheable?: CacheablePrompt;
}

export interface EmulatedToolCall {
  id: string;
  name: string;
  /** JSON text. */
  arguments: string;
}

export interface EmulatedAnswer {
  /** The pieces a stream sends, one per chunk; joined they are the whole text. */
  pieces: string[];
  /** Function calls, after the text. */
  toolCalls: EmulatedToolCall[];
  finish: 'stop' | 'length' | 'tool_calls';
  /** Every prompt token, those read from or written to the prompt cache included. */
  promptTokens: number;
  completionTokens: number;
  /** The prompt cache's part in `promptTokens` (set by the server, which holds the cache). */
  cache: CacheUse;
}

/** What a script may make the model do besides answering in text. */
export interface ScriptedCall {
  name: string;
  arguments?: Record<string, unknown>;
}

/** Roughly 4 characters a token, like the tokenizers real models use on English. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

let callCounter = 0;

function echo(provider: string, prompt: EmulatedPrompt): string {
  const last = prompt.turns[prompt.turns.length - 1];
  const images = prompt.images?.length ? ` [${prompt.images.length} image(s): ${prompt.images.join(', ')}]` : '';
  if (last?.role === 'tool') return `[${provider}:${prompt.model}] (${prompt.turns.length} messages) Tool result: ${last.text}${images}`;
  const lastUser = [...prompt.turns].reverse().find((t) => t.role === 'user')?.text ?? '';
  return `[${provider}:${prompt.model}] (${prompt.turns.length} messages) You said: ${lastUser}${images}`;
}

export function answer(provider: string, prompt: EmulatedPrompt, override: string | undefined, scriptedCalls?: ScriptedCall[]): EmulatedAnswer {
  const lastUser = [...prompt.turns].reverse().find((t) => t.role === 'user')?.text ?? '';
  const toolCalls: EmulatedToolCall[] = [];
  const call = (name: string, args: unknown) => toolCalls.push({ id: `call_emu_${++callCounter}`, name, arguments: JSON.stringify(args) });
  if (scriptedCalls && scriptedCalls.length > 0) {
    for (const c of scriptedCalls) {
      if (!prompt.tools?.some((t) => t.name === c.name)) throw new Error(`scripted call to '${c.name}', which the request does not offer`);
      call(c.name, c.arguments ?? {});
    }
  } else if (prompt.forcedTool !== undefined) {
    const tool = prompt.tools?.find((t) => t.name === prompt.forcedTool);
    call(prompt.forcedTool, fillSchema(tool?.schema, lastUser));
  }
  let text = override ?? echo(provider, prompt);
  if (prompt.json && toolCalls.length === 0) text = JSON.stringify(fillSchema(prompt.json.schema ?? { type: 'object', properties: { answer: { type: 'string' } } }, text));
  // A forced call answers with the call alone, as real models do.
  let pieces: string[] = toolCalls.length > 0 && override === undefined ? [] : (text.match(/\S+\s*|\s+/g) ?? ['']);
  let finish: EmulatedAnswer['finish'] = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  // One word is one token here, so max tokens truncates visibly.
  if (prompt.maxTokens !== undefined && pieces.length > prompt.maxTokens) {
    pieces = pieces.slice(0, prompt.maxTokens);
    finish = 'length';
  }
  return {
    pieces,
    toolCalls,
    finish,
    promptTokens: prompt.turns.reduce((n, t) => n + estimateTokens(t.text), 0),
    completionTokens: pieces.length + toolCalls.reduce((n, c) => n + estimateTokens(c.arguments), 0),
    cache: NO_CACHE_USE,
  };
}
