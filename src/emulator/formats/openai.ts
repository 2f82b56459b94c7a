/** OpenAI Chat Completions, and OpenRouter's flavour of it (keep-alive comments, in-band errors). */
import type { EmulatedAnswer, EmulatedPrompt } from '../answer.js';
import { asRecord, contentText, imageMediaTypes, sse, type EmulatedFormat } from './types.js';

let counter = 0;

/** OpenRouter's routers answer with the model they picked, as the real `openrouter/free` does. */
export const EMULATED_FREE_PICK = 'emulator/picked-model:free';
const answeringModel = (flavour: string, model: string) => (flavour === 'openrouter' && model === 'openrouter/free' ? EMULATED_FREE_PICK : model);

/** `prompt_tokens` includes the cached ones, which the details count (OpenRouter adds the tokens written, for providers that bill writes). */
const usage = (a: EmulatedAnswer) => ({
  prompt_tokens: a.promptTokens,
  completion_tokens: a.completionTokens,
  total_tokens: a.promptTokens + a.completionTokens,
  prompt_tokens_details: { cached_tokens: a.cache.read, audio_tokens: 0, ...(a.cache.write > 0 ? { cache_write_tokens: a.cache.write } : {}) },
});

export function openAIFormat(flavour: 'openai' | 'openrouter'): EmulatedFormat {
  const extra = flavour === 'openrouter' ? { provider: 'Emulator' } : {};
  const ids = new WeakMap<EmulatedPrompt, { id: string; created: number; includeUsage: boolean; namedChoice?: boolean }>();
  const meta = (p: EmulatedPrompt) => {
    let m = ids.get(p);
    if (!m) {
      m = { id: `${flavour === 'openrouter' ? 'gen' : 'chatcmpl'}-emu-${++counter}`, created: Math.floor(Date.now() / 1000), includeUsage: false };
      ids.set(p, m);
    }
    return m;
  };
  const chunk = (p: EmulatedPrompt, delta: Record<string, unknown>, finish: string | null, more: Record<string, unknown> = {}) => {
    const m = meta(p);
    return {
      id: m.id,
      object: 'chat.completion.chunk',
      created: m.created,
      model: answeringModel(flavour, p.model),
      ...extra,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...more,
    };
  };
  // Like OpenAI, an answer to a tool_choice that names the function ends with "stop", not "tool_calls".
  const finishOf = (p: EmulatedPrompt, a: EmulatedAnswer) => (a.finish === 'tool_calls' && meta(p).namedChoice ? 'stop' : a.finish);
  return {
    automaticCaching: true,
    readPrompt(raw) {
      const body = asRecord(raw);
      if (typeof body.model !== 'string') throw new Error('model is required');
      if (!Array.isArray(body.messages) || body.messages.length === 0) throw new Error('messages must be a non-empty array');
      const maxTokens = (body.max_completion_tokens ?? body.max_tokens) as number | undefined;
      const calls = new Set<string>();
      const images: string[] = [];
      const turns = (body.messages as Array<Record<string, unknown>>).map((m, i) => {
        if (m.role === 'assistant' && Array.isArray(m.tool_calls)) for (const c of m.tool_calls as Array<{ id?: unknown }>) calls.add(String(c.id));
        if (m.role === 'tool' && (typeof m.tool_call_id !== 'string' || !calls.has(m.tool_call_id))) {
          throw new Error(`Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls' (messages[${i}])`);
        }
        images.push(...imageMediaTypes(m.content));
        return { role: String(m.role), text: contentText(m.content) };
      });
      const tools = Array.isArray(body.tools)
        ? (body.tools as Array<{ function?: { name?: string; parameters?: unknown } }>).map((t) => ({ name: String(t.function?.name), schema: t.function?.parameters }))
        : undefined;
      const choice = body.tool_choice as string | { function?: { name?: string } } | undefined;
      const forcedTool = choice === 'required' ? tools?.[0]?.name : typeof choice === 'object' ? choice.function?.name : undefined;
      const format = body.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
      const prompt = {
        model: body.model,
        turns,
        maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
        stream: body.stream === true,
        ...(tools ? { tools } : {}),
        ...(forcedTool ? { forcedTool } : {}),
        ...(format?.type === 'json_object' || format?.type === 'json_schema' ? { json: format.json_schema?.schema !== undefined ? { schema: format.json_schema.schema } : {} } : {}),
        ...(images.length > 0 ? { images } : {}),
      };
      const options = body.stream_options as { include_usage?: boolean } | undefined;
      meta(prompt).includeUsage = flavour === 'openrouter' || options?.include_usage === true;
      meta(prompt).namedChoice = typeof choice === 'object';
      return prompt;
    },
    authorized: (headers) => /^Bearer \S+/.test(String(headers.authorization ?? '')),
    response(p, a) {
      const m = meta(p);
      return {
        id: m.id,
        object: 'chat.completion',
        created: m.created,
        model: answeringModel(flavour, p.model),
        ...extra,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: a.pieces.length === 0 && a.toolCalls.length > 0 ? null : a.pieces.join(''),
              refusal: null,
              ...(a.toolCalls.length > 0 ? { tool_calls: a.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
            },
            logprobs: null,
            finish_reason: finishOf(p, a),
          },
        ],
        usage: usage(a),
        ...(flavour === 'openrouter' ? { system_fingerprint: null } : {}),
      };
    },
    streamStart: (p) => [...(flavour === 'openrouter' ? [': OPENROUTER PROCESSING\n\n'] : []), sse(chunk(p, { role: 'assistant', content: '' }, null))],
    streamPiece: (p, piece) => sse(chunk(p, { content: piece }, null)),
    streamEnd(p, a) {
      const frames: string[] = [];
      // Each call: a chunk naming it, then its arguments in two pieces, as OpenAI streams them.
      a.toolCalls.forEach((c, index) => {
        frames.push(sse(chunk(p, { tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }, null)));
        const half = Math.ceil(c.arguments.length / 2);
        for (const piece of [c.arguments.slice(0, half), c.arguments.slice(half)]) if (piece) frames.push(sse(chunk(p, { tool_calls: [{ index, function: { arguments: piece } }] }, null)));
      });
      frames.push(sse(chunk(p, {}, finishOf(p, a))));
      if (meta(p).includeUsage) {
        const m = meta(p);
        frames.push(sse({ id: m.id, object: 'chat.completion.chunk', created: m.created, model: p.model, ...extra, choices: [], usage: usage(a) }));
      }
      frames.push(sse('[DONE]'));
      return frames;
    },
    streamError(p, status, message) {
      if (flavour === 'openrouter') return sse(chunk(p, { content: '' }, 'error', { error: { code: status, message } }));
      return sse({ error: { message, type: 'server_error', param: null, code: null } });
    },
    errorBody(status, message) {
      if (flavour === 'openrouter') return { error: { code: status, message, metadata: { provider_name: 'Emulator' } } };
      const type = status === 429 ? 'rate_limit_exceeded' : status === 401 ? 'invalid_request_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
      return { error: { message, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } };
    },
  };
}
