/**
 * Embeddings as OpenAI (`POST /v1/embeddings`) and Gemini (`:batchEmbedContents`) answer them:
 * deterministic unit vectors derived from each text, so equal texts embed equally.
 */
import { createHash } from 'node:crypto';
import { estimateTokens } from '../answer.js';
import type { EmulatedProvider } from '../script.js';

/** A unit vector of `size` from the text's SHA-256 stream. */
export function emulatedVector(text: string, size: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < size; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < size; i += 2) values.push(digest.readUInt16LE(i) / 32768 - 1);
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => v / norm);
}

export const DEFAULT_EMULATED_DIMENSIONS = 8;

export function embeddingRoute(method: string, path: string): { provider: EmulatedProvider; model?: string } | undefined {
  if (method !== 'POST') return undefined;
  if (path === '/openai/v1/embeddings') return { provider: 'openai' };
  const gemini = /^\/gemini\/v1beta\/models\/([^/:]+):batchEmbedContents$/.exec(path);
  if (gemini) return { provider: 'gemini', model: decodeURIComponent(gemini[1]!) };
  return undefined;
}

/** The answer to a valid request, or throws a message for a 400, as the real APIs would. */
export function embeddingAnswer(provider: EmulatedProvider, pathModel: string | undefined, body: Record<string, unknown>): { model: string; answer: unknown } {
  if (provider === 'gemini') {
    const requests = body.requests;
    if (!Array.isArray(requests) || requests.length === 0) throw new Error('* BatchEmbedContentsRequest.requests: contents is not specified');
    const embeddings = (requests as Array<{ model?: unknown; content?: { parts?: Array<{ text?: unknown }> }; outputDimensionality?: unknown }>).map((r, i) => {
      if (r.model !== `models/${pathModel}`) throw new Error(`* BatchEmbedContentsRequest.requests[${i}].model: the model in the request must match the model in the URL`);
      const text = (r.content?.parts ?? []).map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
      if (text === '') throw new Error(`* BatchEmbedContentsRequest.requests[${i}].content: contents is not specified`);
      return { values: emulatedVector(text, typeof r.outputDimensionality === 'number' ? r.outputDimensionality : DEFAULT_EMULATED_DIMENSIONS) };
    });
    return { model: pathModel ?? '', answer: { embeddings } };
  }
  if (typeof body.model !== 'string') throw new Error('you must provide a model parameter');
  const raw = body.input;
  const inputs: Array<string | number[]> = typeof raw === 'string' ? [raw] : Array.isArray(raw) && typeof raw[0] === 'number' ? [raw as number[]] : (raw as Array<string | number[]>);
  if (!Array.isArray(inputs) || inputs.length === 0) throw new Error("'input' is a required property");
  const size = typeof body.dimensions === 'number' ? body.dimensions : DEFAULT_EMULATED_DIMENSIONS;
  const base64 = body.encoding_format === 'base64';
  let tokens = 0;
  const data = inputs.map((input, index) => {
    const text = typeof input === 'string' ? input : input.join(',');
    tokens += typeof input === 'string' ? estimateTokens(input) : input.length;
    const vector = emulatedVector(text, size);
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  return { model: body.model, answer: { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
}
