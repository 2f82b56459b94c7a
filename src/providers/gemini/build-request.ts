/**
 * Neutral call → Gemini GenerateContentRequest.
 * @see https://ai.google.dev/api/generate-content#request-body
 * @see https://ai.google.dev/gemini-api/docs/function-calling
 */
import { cacheMarksDropped, hasCacheMarks } from '../prompt-cache-marks.js';
import { toolArgumentsObject } from '../tool-arguments.js';
import { signatureOf } from '../tool-call-id.js';
import type { ChatCall, ChatMessage, ToolChoice } from '../types.js';

type Part = Record<string, unknown>;

interface GeminiContent {
  role: 'user' | 'model';
  parts: Part[];
}

/** reasoning_effort → a thinking budget in tokens (Gemini 2.5's knob). */
const THINKING_BUDGET: Record<string, number> = { low: 1024, medium: 8192, high: 24576 };

/** A function result as Gemini wants it: an object (JSON text that is one stays one). */
function functionResponse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    return { result: value };
  } catch {
    return { result: text };
  }
}

function partsOf(m: ChatMessage, callNames: Map<string, string>, warnings: string[]): Part[] {
  if (m.role === 'tool') {
    const id = m.toolCallId ?? '';
    return [{ functionResponse: { name: callNames.get(id) ?? 'unknown', response: functionResponse(m.content) } }];
  }
  const parts: Part[] = [];
  if (m.parts) {
    for (const part of m.parts) {
      if (part.type === 'text') {
        if (part.text !== '') parts.push({ text: part.text });
      } else if (part.image.kind === 'data') {
        // Gemini reads PNG, JPEG, WebP, HEIC and HEIF inline; a GIF would fail the whole request.
        if (part.image.mediaType === 'image/gif') warnings.push('a GIF image was left out (gemini does not read GIF)');
        else parts.push({ inlineData: { mimeType: part.image.mediaType, data: part.image.data } });
      } else {
        // The gateway inlines http(s) images before calling Gemini; one left here is sent by reference.
        warnings.push('an image was sent to gemini by URL, which only works for files Gemini can read');
        parts.push({ fileData: { fileUri: part.image.url } });
      }
    }
  } else if (m.content !== '') {
    parts.push({ text: m.content });
  }
  for (const call of m.toolCalls ?? []) {
    callNames.set(call.id, call.name);
    const part: Part = { functionCall: { name: call.name, args: toolArgumentsObject(call.arguments, 'gemini', warnings) } };
    const signature = signatureOf(call.id);
    if (signature !== undefined) part.thoughtSignature = signature;
    parts.push(part);
  }
  return parts;
}

function functionCallingConfig(choice: ToolChoice): Record<string, unknown> {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [choice.name] };
}

/** OpenAI parameters Gemini has a field for; the rest are reported. */
function applyExtras(extras: Record<string, unknown>, config: Record<string, unknown>, warnings: string[]): void {
  for (const [key, value] of Object.entries(extras)) {
    if (key === 'seed' && typeof value === 'number') config.seed = value;
    else if (key === 'presence_penalty' && typeof value === 'number') config.presencePenalty = value;
    else if (key === 'frequency_penalty' && typeof value === 'number') config.frequencyPenalty = value;
    else if (key === 'reasoning_effort' && typeof value === 'string' && THINKING_BUDGET[value] !== undefined) config.thinkingConfig = { thinkingBudget: THINKING_BUDGET[value] };
    else warnings.push(`${key} is not supported by gemini and was ignored`);
  }
}

export function buildGeminiBody(call: ChatCall): { body: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  // Gemini caches long prompts by itself (implicit caching): breakpoints have nowhere to go.
  if (hasCacheMarks(call.messages, call.params)) warnings.push(cacheMarksDropped('gemini'));
  const system: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  for (const m of call.messages) {
    if (m.role === 'system' || m.role === 'developer') {
      if (m.content !== '') system.push({ text: m.content });
      continue;
    }
    const parts = partsOf(m, callNames, warnings);
    // Gemini refuses empty turns.
    if (parts.length === 0) {
      warnings.push(`an empty ${m.role} message was left out (gemini refuses empty text)`);
      continue;
    }
    const role = m.role === 'assistant' ? 'model' : 'user';
    const last = contents[contents.length - 1];
    // Gemini wants alternating turns: consecutive turns of one role become one turn with several parts.
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }
  const body: Record<string, unknown> = { contents };
  if (system.length > 0) body.systemInstruction = { parts: system };
  const p = call.params;
  const tools = p.tools ?? [];
  if (tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: tools.map((t) => {
          const fn: Record<string, unknown> = { name: t.name };
          if (t.description !== undefined) fn.description = t.description;
          // Full JSON Schema; the older `parameters` field takes only an OpenAPI subset.
          if (t.parameters !== undefined) fn.parametersJsonSchema = t.parameters;
          return fn;
        }),
      },
    ];
    if (p.toolChoice !== undefined) body.toolConfig = { functionCallingConfig: functionCallingConfig(p.toolChoice) };
    if (p.parallelToolCalls === false) warnings.push('parallel_tool_calls=false is not supported by gemini and was ignored');
  }
  const generationConfig: Record<string, unknown> = {};
  if (p.temperature !== undefined) generationConfig.temperature = p.temperature;
  if (p.topP !== undefined) generationConfig.topP = p.topP;
  if (p.maxTokens !== undefined) generationConfig.maxOutputTokens = p.maxTokens;
  if (p.stop !== undefined && p.stop.length > 0) generationConfig.stopSequences = p.stop;
  if (p.responseFormat !== undefined) {
    if (tools.length > 0) {
      warnings.push('response_format was ignored: gemini does not combine function calling with a JSON response type');
    } else {
      generationConfig.responseMimeType = 'application/json';
      if (p.responseFormat.type === 'json_schema') generationConfig.responseJsonSchema = p.responseFormat.schema;
    }
  }
  applyExtras(p.openaiExtras ?? {}, generationConfig, warnings);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return { body, warnings };
}
