/**
 * The OpenAI chat completion request as the gateway accepts it, validated into a ChatInput.
 * Every refusal names the offending parameter; parameters the gateway cannot honour are refused
 * (audio, legacy functions) or reported as warnings, never silently dropped.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import { z } from 'zod';
import type { Caller } from '../gateway/caller.js';
import type { ChatInput } from '../gateway/chat-input.js';
import { GatewayError, invalidRequest } from '../core/errors.js';
import type { ChatMessage, ChatParams, ContentPart, ResponseFormat, ToolCall, ToolChoice, ToolDefinition } from '../providers/types.js';
import { ROUTE_POLICIES, type RoutePolicy } from '../routing/route-policy.js';
import { CacheMarks, checkPromptCacheKey } from './cache-control.js';
import { plainChatRequest } from './plain-chat-request.js';
import { MODEL_NAME_PATTERN, SESSION_ID_PATTERN } from './request-patterns.js';

const contentPart = z.looseObject({ type: z.string() });

/** Function names as OpenAI (and Anthropic, and Gemini) accept them. */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const functionName = z.string({ message: 'must be a string' }).regex(FUNCTION_NAME, 'must be 1-64 characters of a-z A-Z 0-9 _ -');
const jsonSchemaObject = z.record(z.string(), z.unknown(), { message: 'must be a JSON Schema object' });

const toolCall = z.looseObject({
  // Ids the gateway made for Gemini carry its thought signature, which can run to many kilobytes.
  id: z.string({ message: 'must be a string' }).min(1, 'must not be empty').max(200_000),
  type: z.literal('function', { message: "must be 'function'" }).optional(),
  function: z.looseObject({ name: functionName, arguments: z.string({ message: 'must be a string of JSON' }) }),
});

const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function'], {
    message: "must be one of 'system', 'developer', 'user', 'assistant', 'tool'",
  }),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: nullableArray(toolCall),
  tool_call_id: z.string({ message: 'must be a string' }).optional(),
});

function nullableArray<T extends z.ZodType>(item: T) {
  return z.array(item, { message: 'must be an array' }).nullish();
}

const tool = z.looseObject({
  type: z.literal('function', { message: "must be 'function' (other tool types are not supported)" }),
  function: z.looseObject({
    name: functionName,
    description: z.string({ message: 'must be a string' }).optional(),
    parameters: jsonSchemaObject.optional(),
    strict: z.boolean({ message: 'must be a boolean' }).nullish(),
  }),
});

const toolChoice = z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: functionName }) })], {
  message: 'must be \'none\', \'auto\', \'required\' or {"type":"function","function":{"name":...}}',
});

const responseFormat = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('text') }),
    z.looseObject({ type: z.literal('json_object') }),
    z.looseObject({
      type: z.literal('json_schema'),
      json_schema: z.looseObject({
        name: functionName,
        description: z.string().optional(),
        schema: jsonSchemaObject.optional(),
        strict: z.boolean().nullish(),
      }),
    }),
  ],
  { message: "must have type 'text', 'json_object' or 'json_schema'" },
);

const nullable = <T extends z.ZodType>(schema: T) => schema.nullish();

export const chatRequestSchema = z.looseObject({
  model: nullable(z.string({ message: 'must be a string' }).regex(MODEL_NAME_PATTERN, 'must be at most 256 visible ASCII characters')),
  messages: z.array(message, { message: 'must be an array of messages' }).min(1, 'must contain at least one message'),
  stream: nullable(z.boolean({ message: 'must be a boolean' })),
  stream_options: nullable(z.looseObject({ include_usage: z.boolean().optional() })),
  temperature: nullable(z.number({ message: 'must be a number' }).min(0).max(2)),
  top_p: nullable(z.number({ message: 'must be a number' }).min(0).max(1)),
  max_tokens: nullable(z.number({ message: 'must be an integer' }).int().min(1)),
  max_completion_tokens: nullable(z.number({ message: 'must be an integer' }).int().min(1)),
  stop: nullable(z.union([z.string(), z.array(z.string()).max(4, 'at most 4 stop sequences')], { message: 'must be a string or an array of strings' })),
  n: nullable(z.number({ message: 'must be an integer' }).int().min(1)),
  session_id: nullable(z.string({ message: 'must be a string' }).regex(SESSION_ID_PATTERN, 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ -')),
  priority: nullable(z.enum(['high', 'normal'], { message: "must be 'high' or 'normal'" })),
  cache: nullable(z.boolean({ message: 'must be true or false' })),
  route: nullable(z.enum(ROUTE_POLICIES, { message: `must be one of ${ROUTE_POLICIES.join(', ')}` })),
  tools: nullableArray(tool),
  tool_choice: nullable(toolChoice),
  parallel_tool_calls: nullable(z.boolean({ message: 'must be a boolean' })),
  response_format: nullable(responseFormat),
  // Anthropic's request-wide cache breakpoint, as OpenRouter takes it (read by CacheMarks).
  cache_control: z.unknown().optional(),
});

/** Parameters OpenAI-compatible upstreams take verbatim; other wire formats report them as unsupported. */
const OPENAI_EXTRAS = new Set([
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'user',
  'reasoning_effort',
  'service_tier',
  'metadata',
  'store',
  'verbosity',
  'prediction',
  'top_logprobs',
  'logprobs',
  'prompt_cache_key',
  'prompt_cache_retention',
]);

/** Parameters that change what the answer is made of: refused rather than ignored. */
const UNSUPPORTED: Record<string, string> = {
  functions: "'functions' (deprecated by OpenAI; send 'tools')",
  function_call: "'function_call' (deprecated by OpenAI; send 'tool_choice')",
  audio: 'Audio output',
  web_search_options: 'Web search',
};

const KNOWN = new Set([...Object.keys(chatRequestSchema.shape), ...OPENAI_EXTRAS, ...Object.keys(UNSUPPORTED), 'modalities']);

/** ['messages', 0, 'role'] → "messages[0].role" */
export function paramPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

function unsupported(param: string, what: string): GatewayError {
  return new GatewayError({ status: 400, type: 'invalid_request_error', code: 'unsupported_parameter', param, message: `${what} is not supported by this gateway yet` });
}

/** Images as data URLs: the formats every upstream takes. */
const DATA_URL = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/]+={0,2})$/;

export function imagePart(part: Record<string, unknown>, param: string): ContentPart {
  const raw = part.image_url;
  const spec = typeof raw === 'string' ? { url: raw } : (raw as { url?: unknown; detail?: unknown } | undefined);
  if (typeof spec?.url !== 'string') throw invalidRequest(`Invalid value for '${param}.image_url.url': must be a string`, `${param}.image_url.url`, 'invalid_type');
  const detail = spec.detail;
  if (detail !== undefined && detail !== 'auto' && detail !== 'low' && detail !== 'high') {
    throw invalidRequest(`Invalid value for '${param}.image_url.detail': must be 'auto', 'low' or 'high'`, `${param}.image_url.detail`);
  }
  const url = spec.url;
  let out: ContentPart;
  const data = DATA_URL.exec(url);
  if (data) out = { type: 'image', image: { kind: 'data', mediaType: data[1]!, data: data[2]! } };
  else if (/^https?:\/\/[^\s]+$/i.test(url) && URL.canParse(url)) out = { type: 'image', image: { kind: 'url', url } };
  else {
    throw invalidRequest(`Invalid value for '${param}.image_url.url': must be an http(s) URL or a base64 data URL of a PNG, JPEG, GIF or WebP image`, `${param}.image_url.url`);
  }
  if (detail !== undefined) out.detail = detail;
  return out;
}

/** A message's content as text, and as parts when it holds images (user turns only) or cache breakpoints. */
function readContent(content: string | Array<{ type: string }> | null | undefined, index: number, imagesAllowed: boolean, marks: CacheMarks): { text: string; parts?: ContentPart[] } {
  if (content === undefined || content === null) return { text: '' };
  if (typeof content === 'string') return { text: content };
  const parts: ContentPart[] = [];
  const texts: string[] = [];
  let asParts = false;
  content.forEach((part, j) => {
    const param = `messages[${index}].content[${j}]`;
    let out: ContentPart;
    if (part.type === 'text') {
      const text = (part as { text?: unknown }).text;
      if (typeof text !== 'string') throw invalidRequest(`Invalid value for '${param}.text': must be a string`, `${param}.text`, 'invalid_type');
      texts.push(text);
      out = { type: 'text', text };
    } else if (part.type === 'image_url' && imagesAllowed) {
      out = imagePart(part as Record<string, unknown>, param);
      asParts = true;
    } else {
      throw unsupported(`${param}.type`, `Content of type '${part.type}'${part.type === 'image_url' ? ' outside a user message' : ''}`);
    }
    const mark = marks.read((part as { cache_control?: unknown }).cache_control, param);
    if (mark) {
      out.cacheControl = mark;
      asParts = true;
    }
    parts.push(out);
  });
  return asParts ? { text: texts.join('\n'), parts } : { text: texts.join('\n') };
}

function readToolCalls(calls: Array<z.infer<typeof toolCall>>): ToolCall[] {
  return calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
}

function readMessages(raw: Array<z.infer<typeof message>>, marks: CacheMarks): ChatMessage[] {
  const openCalls = new Set<string>();
  return raw.map((m, i) => {
    if (m.role === 'function') throw unsupported(`messages[${i}].role`, "The 'function' role (deprecated by OpenAI; send 'tool' messages)");
    if (m.role !== 'assistant' && (m.content === undefined || m.content === null)) {
      throw invalidRequest(`Invalid value for 'messages[${i}].content': required for role '${m.role}'`, `messages[${i}].content`, 'invalid_type');
    }
    const { text, parts } = readContent(m.content, i, m.role === 'user', marks);
    const out: ChatMessage = { role: m.role, content: text };
    if (parts) out.parts = parts;
    // LiteLLM's convention: a breakpoint on the message marks its last block (a tool result's own block),
    // which is one breakpoint with the same block's part mark.
    const own = marks.read((m as { cache_control?: unknown }).cache_control, `messages[${i}]`);
    if (own) {
      out.cacheControl = own;
      if (m.role !== 'tool' && parts?.at(-1)?.cacheControl) marks.forgetLast();
    }
    if (m.role === 'assistant' && m.tool_calls && m.tool_calls.length > 0) {
      out.toolCalls = readToolCalls(m.tool_calls);
      for (const c of out.toolCalls) openCalls.add(c.id);
    } else if (m.tool_calls && m.tool_calls.length > 0) {
      throw invalidRequest(`Invalid value for 'messages[${i}].tool_calls': only assistant messages carry tool calls`, `messages[${i}].tool_calls`);
    }
    if (m.role === 'tool') {
      // Every upstream pairs a result with the call it answers.
      if (m.tool_call_id === undefined || !openCalls.has(m.tool_call_id)) {
        throw invalidRequest(`Invalid value for 'messages[${i}].tool_call_id': must be the id of a tool call in an earlier assistant message`, `messages[${i}].tool_call_id`);
      }
      out.toolCallId = m.tool_call_id;
    }
    // Postgres text cannot hold U+0000: refused before any upstream call, on every database alike.
    if (out.content.includes('\u0000')) throw invalidRequest(`Invalid value for 'messages[${i}].content': contains a NUL character`, `messages[${i}].content`);
    if (m.name !== undefined) out.name = m.name;
    return out;
  });
}

function readTools(tools: Array<z.infer<typeof tool>> | null | undefined, marks: CacheMarks): ToolDefinition[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  const names = new Set<string>();
  return tools.map((t, i) => {
    if (names.has(t.function.name)) throw invalidRequest(`Invalid value for 'tools[${i}].function.name': '${t.function.name}' is defined twice`, `tools[${i}].function.name`);
    names.add(t.function.name);
    const out: ToolDefinition = { name: t.function.name };
    if (t.function.description !== undefined) out.description = t.function.description;
    if (t.function.parameters !== undefined) out.parameters = t.function.parameters;
    if (t.function.strict != null) out.strict = t.function.strict;
    const mark = marks.read((t as { cache_control?: unknown }).cache_control, `tools[${i}]`);
    if (mark) out.cacheControl = mark;
    return out;
  });
}

function readToolChoice(choice: z.infer<typeof toolChoice> | null | undefined, tools: ToolDefinition[] | undefined): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (typeof choice === 'string') {
    if (choice === 'required' && !tools) throw invalidRequest("Invalid value for 'tool_choice': 'required' needs 'tools'", 'tool_choice');
    return tools ? choice : undefined;
  }
  const name = choice.function.name;
  if (!tools?.some((t) => t.name === name)) throw invalidRequest(`Invalid value for 'tool_choice': no tool named '${name}' in 'tools'`, 'tool_choice.function.name');
  return { name };
}

function readResponseFormat(format: z.infer<typeof responseFormat> | null | undefined): ResponseFormat | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  const spec = format.json_schema;
  const out: ResponseFormat = { type: 'json_schema', name: spec.name, schema: spec.schema ?? { type: 'object' } };
  if (spec.description !== undefined) out.description = spec.description;
  if (spec.strict != null) out.strict = spec.strict;
  return out;
}

export interface ChatRequestContext {
  requestId: string;
  caller: Caller;
  /** The `x-cerebro-route` header, if sent. */
  routeHeader?: string | undefined;
  /** The `Cache-Control` header, if sent (`no-cache`/`no-store` bypass the answer cache). */
  cacheControl?: string | undefined;
  sessionHeader: string | undefined;
}

const header = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/** The request context from the headers Cerebro reads (`X-Session-Id`, `X-Cerebro-Route`, `Cache-Control`). */
export function chatRequestContext(headers: Record<string, string | string[] | undefined>, requestId: string, caller: Caller): ChatRequestContext {
  return {
    requestId,
    caller,
    sessionHeader: header(headers['x-session-id']),
    routeHeader: header(headers['x-cerebro-route']),
    cacheControl: header(headers['cache-control']),
  };
}

/** The session: the body's `session_id`, else the `X-Session-Id` header (checked like the field). */
export function sessionIdOf(fromBody: string | undefined, ctx: ChatRequestContext): string | undefined {
  if (fromBody !== undefined || ctx.sessionHeader === undefined) return fromBody;
  if (!SESSION_ID_PATTERN.test(ctx.sessionHeader)) throw invalidRequest("Invalid 'X-Session-Id' header: must be 1-128 characters of A-Z a-z 0-9 . _ : @ -", 'session_id');
  return ctx.sessionHeader;
}

export function routeFromHeader(value: string | undefined): RoutePolicy | undefined {
  if (value === undefined) return undefined;
  if (!(ROUTE_POLICIES as readonly string[]).includes(value)) throw invalidRequest(`Invalid 'X-Cerebro-Route' header: must be one of ${ROUTE_POLICIES.join(', ')}`, 'route');
  return value as RoutePolicy;
}

/** The body through the full schema: every field checked, the first problem named. */
function schemaParse(body: object): z.infer<typeof chatRequestSchema> {
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = paramPath(issue.path);
    throw invalidRequest(`Invalid value for '${param}': ${issue.message}`, param, issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value');
  }
  return parsed.data;
}

export function parseChatRequest(body: unknown, ctx: ChatRequestContext): ChatInput & { includeUsage: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object.', null, 'invalid_body');
  }
  const req = plainChatRequest(body) ?? schemaParse(body);
  const warnings: string[] = [];
  const openaiExtras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(req)) {
    if (value === undefined || value === null) continue;
    const refusal = Object.hasOwn(UNSUPPORTED, key) ? UNSUPPORTED[key] : undefined;
    if (refusal !== undefined) throw unsupported(key, refusal);
    if (key === 'prompt_cache_key') checkPromptCacheKey(value);
    if (OPENAI_EXTRAS.has(key)) openaiExtras[key] = value;
    else if (!KNOWN.has(key)) warnings.push(`unknown parameter '${key}' was ignored`);
  }
  const modalities = (req as { modalities?: unknown }).modalities;
  if (Array.isArray(modalities) && modalities.some((m) => m !== 'text')) throw unsupported('modalities', 'Non-text modalities');
  // One choice per answer: the neutral answer has one, on every wire format.
  if (req.n != null && req.n > 1) warnings.push(`n=${req.n} is not supported; one choice was returned`);

  const marks = new CacheMarks();
  const requestMark = marks.read(req.cache_control, '');
  const messages = readMessages(req.messages, marks);
  const tools = readTools(req.tools, marks);
  marks.checkLimit();
  const choice = readToolChoice(req.tool_choice, tools);
  const format = readResponseFormat(req.response_format);

  const params: ChatParams = {};
  if (req.temperature != null) params.temperature = req.temperature;
  if (req.top_p != null) params.topP = req.top_p;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) params.maxTokens = maxTokens;
  if (req.stop != null) params.stop = typeof req.stop === 'string' ? [req.stop] : req.stop;
  if (tools) params.tools = tools;
  if (choice !== undefined) params.toolChoice = choice;
  if (tools && req.parallel_tool_calls != null) params.parallelToolCalls = req.parallel_tool_calls;
  if (format) params.responseFormat = format;
  if (requestMark) params.cacheControl = requestMark;
  if (Object.keys(openaiExtras).length > 0) params.openaiExtras = openaiExtras;

  const sessionId = sessionIdOf(req.session_id ?? undefined, ctx);

  return {
    requestId: ctx.requestId,
    caller: ctx.caller,
    model: req.model ?? undefined,
    messages,
    params,
    stream: req.stream === true,
    includeUsage: req.stream_options?.include_usage === true,
    sessionId,
    priority: req.priority ?? 'normal',
    route: req.route ?? routeFromHeader(ctx.routeHeader),
    cache: req.cache !== false && !/\bno-(cache|store)\b/i.test(ctx.cacheControl ?? ''),
    warnings,
  };
}
