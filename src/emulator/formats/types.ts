import type { EmulatedAnswer, EmulatedPrompt } from '../answer.js';

/** One wire format as the emulator speaks it. */
export interface EmulatedFormat {
  /** Long prompts are cached without being asked (OpenAI, Gemini); otherwise only marked prefixes are. */
  readonly automaticCaching: boolean;
  /** Reads the request body the way the real API would; throws a message for a 400. */
  readPrompt(body: unknown, model: string | undefined): EmulatedPrompt & { stream: boolean };
  /** Whether the request carries the credentials this API wants. */
  authorized(headers: Record<string, string | string[] | undefined>, url: URL): boolean;
  response(prompt: EmulatedPrompt, answer: EmulatedAnswer): unknown;
  /** SSE frames, each already terminated by a blank line. */
  streamStart(prompt: EmulatedPrompt, answer: EmulatedAnswer): string[];
  streamPiece(prompt: EmulatedPrompt, piece: string, index: number): string;
  streamEnd(prompt: EmulatedPrompt, answer: EmulatedAnswer): string[];
  streamError(prompt: EmulatedPrompt, status: number, message: string): string;
  errorBody(status: number, message: string, retryAfterSeconds?: number): unknown;
}

export const sse = (data: unknown, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** Media types of the images in an OpenAI or Anthropic content array (data URLs, base64 sources; "url" otherwise). */
export function imageMediaTypes(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- content parts read loosely, as a provider's server does
  for (const p of content as Array<Record<string, any>>) {
    if (p?.type === 'image_url') {
      const url = String(p.image_url?.url ?? '');
      out.push(/^data:([^;,]+)/.exec(url)?.[1] ?? 'url');
    } else if (p?.type === 'image') {
      const source = p.source ?? {};
      if (source.type === 'base64') {
        if (!/^image\/(png|jpeg|gif|webp)$/.test(String(source.media_type))) throw new Error('image.source.media_type: must be image/jpeg, image/png, image/gif or image/webp');
        if (typeof source.data !== 'string' || source.data === '') throw new Error('image.source.data: Field required');
        out.push(source.media_type);
      } else if (source.type === 'url' && typeof source.url === 'string') out.push('url');
      else throw new Error('image.source: must be a base64 or url source');
    }
  }
  return out;
}

/** Text of an OpenAI/Anthropic-style content field: a string or text parts (tool results included). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p?.text === 'string' ? p.text : p?.type === 'tool_result' ? contentText(p.content) : '')).join('');
  return '';
}

export function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('body must be a JSON object');
  return value as Record<string, unknown>;
}

/** One stable response id per request (a stream's events all carry the same one). */
export function responseIds(prefix: string): (prompt: EmulatedPrompt) => string {
  let counter = 0;
  const ids = new WeakMap<EmulatedPrompt, string>();
  return (prompt) => {
    let id = ids.get(prompt);
    if (id === undefined) ids.set(prompt, (id = `${prefix}${++counter}`));
    return id;
  };
}
