/**
 * Neutral call → Gemini GenerateContentRequest.
 * @see https://ai.google.dev/api/generate-content#request-body
 */
import type { ChatCall } from '../types.js';

interface GeminiContent {
  role: 'user' | 'model';
  parts: Array<{ text: string }>;
}

export function buildGeminiBody(call: ChatCall): { body: Record<string, unknown>; warnings: string[] } {
  const warnings = Object.keys(call.params.openaiExtras ?? {}).map((k) => `${k} is not supported by gemini and was ignored`);
  const system: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  for (const m of call.messages) {
    if (m.role === 'system' || m.role === 'developer') {
      if (m.content !== '') system.push({ text: m.content });
      continue;
    }
    // Gemini refuses empty text parts.
    if (m.content === '') {
      warnings.push(`an empty ${m.role} message was left out (gemini refuses empty text)`);
      continue;
    }
    const role = m.role === 'assistant' ? 'model' : 'user';
    const last = contents[contents.length - 1];
    // Gemini wants alternating turns: consecutive turns of one role become one turn with several parts.
    if (last && last.role === role) last.parts.push({ text: m.content });
    else contents.push({ role, parts: [{ text: m.content }] });
  }
  const body: Record<string, unknown> = { contents };
  if (system.length > 0) body.systemInstruction = { parts: system };
  const p = call.params;
  const generationConfig: Record<string, unknown> = {};
  if (p.temperature !== undefined) generationConfig.temperature = p.temperature;
  if (p.topP !== undefined) generationConfig.topP = p.topP;
  if (p.maxTokens !== undefined) generationConfig.maxOutputTokens = p.maxTokens;
  if (p.stop !== undefined && p.stop.length > 0) generationConfig.stopSequences = p.stop;
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return { body, warnings };
}
