/**
 * The OpenAI chat completion request as the gateway accepts it, validated into a ChatInput.
 * Every refusal names the offending parameter; parameters the gateway cannot honour yet are
 * refused (tools, images) or reported as warnings, never silently dropped.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import { z } from 'zod';
import type { Caller } from '../gateway/caller.js';
import type { ChatInput } from '../gateway/chat-input.js';
import { GatewayError, invalidRequest } from '../gateway/errors.js';
import type { ChatMessage, ChatParams } from '../providers/types.js';
import { ROUTE_POLICIES, type RoutePolicy } from '../routing/route-policy.js';

export const SESSION_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;

const contentPart = z.looseObject({ type: z.string() });

const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function'], {
    message: "must be one of 'system', 'developer', 'user', 'assistant'",
  }),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
});

const nullable = <T extends z.ZodType>(schema: T) => schema.nullish();

const chatRequestSchema = z.looseObject({
  // Model names travel in response headers: visible ASCII only.
  model: nullable(z.string({ message: 'must be a string' }).regex(/^[\x21-\x7e]{0,256}$/, 'must be at most 256 visible ASCII characters')),
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
]);

/** Parameters that change what the answer is made of: refused rather than ignored. */
const UNSUPPORTED = new Set(['tools', 'tool_choice', 'functions', 'function_call', 'parallel_tool_calls', 'audio', 'web_search_options']);

const KNOWN = new Set([...Object.keys(chatRequestSchema.shape), ...OPENAI_EXTRAS, ...UNSUPPORTED, 'response_format', 'modalities']);

/** ['messages', 0, 'role'] → "messages[0].role" */
export function paramPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

function unsupported(param: string, what: string): GatewayError {
  return new GatewayError({ status: 400, type: 'invalid_request_error', code: 'unsupported_parameter', param, message: `${what} is not supported by this gateway yet` });
}

function textContent(content: string | Array<{ type: string }> | null | undefined, index: number): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  const texts: string[] = [];
  content.forEach((part, j) => {
    const text = (part as { text?: unknown }).text;
    if (part.type !== 'text') throw unsupported(`messages[${index}].content[${j}].type`, `Content of type '${part.type}'`);
    if (typeof text !== 'string') throw invalidRequest('must be a string', `messages[${index}].content[${j}].text`, 'invalid_type');
    texts.push(text);
  });
  return texts.join('\n');
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

function routeFromHeader(value: string | undefined): RoutePolicy | undefined {
  if (value === undefined) return undefined;
  if (!(ROUTE_POLICIES as readonly string[]).includes(value)) throw invalidRequest(`Invalid 'X-Cerebro-Route' header: must be one of ${ROUTE_POLICIES.join(', ')}`, 'route');
  return value as RoutePolicy;
}

export function parseChatRequest(body: unknown, ctx: ChatRequestContext): ChatInput & { includeUsage: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object.', null, 'invalid_body');
  }
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = paramPath(issue.path);
    throw invalidRequest(`Invalid value for '${param}': ${issue.message}`, param, issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value');
  }
  const req = parsed.data;
  const warnings: string[] = [];
  const openaiExtras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(req)) {
    if (value === undefined || value === null) continue;
    if (UNSUPPORTED.has(key)) throw unsupported(key, `'${key}'`);
    if (OPENAI_EXTRAS.has(key)) openaiExtras[key] = value;
    else if (!KNOWN.has(key)) warnings.push(`unknown parameter '${key}' was ignored`);
  }
  const responseFormat = (req as { response_format?: { type?: unknown } }).response_format;
  if (responseFormat && responseFormat.type !== 'text') throw unsupported('response_format', `response_format '${String(responseFormat.type)}'`);
  const modalities = (req as { modalities?: unknown }).modalities;
  if (Array.isArray(modalities) && modalities.some((m) => m !== 'text')) throw unsupported('modalities', 'Non-text modalities');
  if (req.n !== undefined && req.n !== null && req.n > 1) throw unsupported('n', 'n greater than 1');

  const messages: ChatMessage[] = req.messages.map((m, i) => {
    if (m.role === 'tool' || m.role === 'function') throw unsupported(`messages[${i}].role`, `The '${m.role}' role`);
    if (m.role === 'assistant' && (m as { tool_calls?: unknown }).tool_calls) throw unsupported(`messages[${i}].tool_calls`, 'Assistant tool_calls');
    if (m.role !== 'assistant' && (m.content === undefined || m.content === null)) {
      throw invalidRequest(`Invalid value for 'messages[${i}].content': required for role '${m.role}'`, `messages[${i}].content`, 'invalid_type');
    }
    const out: ChatMessage = { role: m.role, content: textContent(m.content, i) };
    // Postgres text cannot hold U+0000: refused before any upstream call, on every database alike.
    if (out.content.includes('\u0000')) throw invalidRequest(`Invalid value for 'messages[${i}].content': contains a NUL character`, `messages[${i}].content`);
    if (m.name !== undefined) out.name = m.name;
    return out;
  });

  const params: ChatParams = {};
  if (req.temperature != null) params.temperature = req.temperature;
  if (req.top_p != null) params.topP = req.top_p;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) params.maxTokens = maxTokens;
  if (req.stop != null) params.stop = typeof req.stop === 'string' ? [req.stop] : req.stop;
  if (Object.keys(openaiExtras).length > 0) params.openaiExtras = openaiExtras;

  let sessionId = req.session_id ?? undefined;
  if (sessionId === undefined && ctx.sessionHeader !== undefined) {
    if (!SESSION_ID_PATTERN.test(ctx.sessionHeader)) {
      throw invalidRequest("Invalid 'X-Session-Id' header: must be 1-128 characters of A-Z a-z 0-9 . _ : @ -", 'session_id');
    }
    sessionId = ctx.sessionHeader;
  }

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
