/**
 * The OpenAI Responses request (POST /v1/responses) as the gateway accepts it, read into the same
 * neutral ChatInput as the other entrances. What Cerebro cannot do (built-in tools, background runs,
 * stored prompts) is a 400 naming it; what an upstream may not honour is said in the warnings.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
import { z } from 'zod';
import type { ChatInput } from '../gateway/chat-input.js';
import { invalidRequest } from '../core/errors.js';
import type { ChatMessage, ChatParams, ContentPart, ResponseFormat, ToolCall, ToolChoice, ToolDefinition } from '../providers/types.js';
import { ROUTE_POLICIES } from '../routing/route-policy.js';
import { CacheMarks, checkPromptCacheKey } from './cache-control.js';
import { imagePart, paramPath, routeFromHeader, sessionIdOf, type ChatRequestContext } from './chat-request.js';
import { SESSION_ID_PATTERN } from './request-patterns.js';
import { nulPath } from './validate.js';

const functionName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z A-Z 0-9 _ -');
const jsonSchemaObject = z.record(z.string(), z.unknown());

export const responsesRequestSchema = z.looseObject({
  model: z
    .string()
    .regex(/^[\x21-\x7e]{1,256}$/, 'must be at most 256 visible ASCII characters')
    .optional(),
  input: z.union([z.string(), z.array(z.looseObject({}), { message: 'must be a string or an array of input items' })]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(z.looseObject({ type: z.string() }), { message: 'must be an array' }).nullish(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.string(), name: z.string().optional() })]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z
    .looseObject({
      format: z
        .discriminatedUnion('type', [
          z.looseObject({ type: z.literal('text') }),
          z.looseObject({ type: z.literal('json_object') }),
          z.looseObject({ type: z.literal('json_schema'), name: z.string().min(1).max(64), schema: jsonSchemaObject, description: z.string().optional(), strict: z.boolean().nullish() }),
        ])
        .optional(),
    })
    .nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  reasoning: z.looseObject({ effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish() }).nullish(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
  user: z.string().max(512).nullish(),
  store: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  previous_response_id: z.string().min(1).max(200).nullish(),
  // Cerebro's own, as on /v1/chat/completions.
  session_id: z.string().regex(SESSION_ID_PATTERN, 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ -').optional(),
  priority: z.enum(['normal', 'high']).optional(),
  route: z.enum(ROUTE_POLICIES).optional(),
  cache: z.boolean().optional(),
});

export type ResponsesBody = z.infer<typeof responsesRequestSchema>;

/** Fields that would change what the answer is made of, which Cerebro cannot do: refused, named. */
const UNSUPPORTED: Record<string, string> = {
  background: 'Background responses',
  conversation: 'Conversation objects (use previous_response_id, or session_id)',
  prompt: 'Stored prompt templates',
};
/** Fields read by OpenAI alone, noted as ignored. */
const IGNORED = new Set(['include', 'truncation', 'service_tier', 'safety_identifier', 'top_logprobs', 'stream_options', 'max_tool_calls']);
/** Fields OpenAI-compatible upstreams take as they are (the chat wire format has them too); others report them. */
const PASSED_ON = new Set(['prompt_cache_key', 'prompt_cache_retention']);

const inputText = z.looseObject({ type: z.enum(['input_text', 'output_text']), text: z.string() });
const inputImage = z.looseObject({ type: z.literal('input_image'), image_url: z.string().optional(), file_id: z.string().optional(), detail: z.enum(['low', 'high', 'auto']).optional() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const messageItem = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer'], { message: "must be 'user', 'assistant', 'system' or 'developer'" }),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
});
const functionCallItem = z.looseObject({ type: z.literal('function_call'), call_id: z.string().min(1).max(200), name: functionName, arguments: z.string() });
const functionCallOutputItem = z.looseObject({ type: z.literal('function_call_output'), call_id: z.string().min(1).max(200), output: z.union([z.string(), z.array(inputText)]) });

/** An input item as GET /v1/responses/{id}/input_items lists it. */
export type InputItemView = Record<string, unknown> & { id: string; type: string };

export interface ResponsesRequest {
  input: ChatInput;
  /** The turns this request adds to its conversation (instructions are not carried over, as OpenAI does). */
  newTurns: ChatMessage[];
  /** The input items read; item references among them are resolved by the route. */
  entries: InputEntry[];
  instructions: string | null;
  inputItems: InputItemView[];
  previousResponseId: string | undefined;
  store: boolean;
  body: ResponsesBody;
}

function check<S extends z.ZodType>(schema: S, value: unknown, at: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = [at, paramPath(issue.path)].filter((p) => p !== '').join('.');
  throw invalidRequest(`Invalid value for '${param}': ${issue.message}`, param, issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value');
}

/**
 * A message item's content as a neutral turn's text and, with images or cache breakpoints, its parts.
 * `marks` is absent for stored items read back: their breakpoints were for the request that sent them.
 */
function readContent(content: z.infer<typeof messageItem>['content'], at: string, imagesAllowed: boolean, marks: CacheMarks | undefined): { text: string; parts?: ContentPart[] } {
  if (typeof content === 'string') return { text: content };
  const parts: ContentPart[] = [];
  content.forEach((raw, j) => {
    const where = `${at}.content.${j}`;
    let part: ContentPart;
    if (raw.type === 'input_text' || raw.type === 'output_text') part = { type: 'text', text: check(inputText, raw, where).text };
    else if (raw.type === 'refusal') part = { type: 'text', text: check(refusal, raw, where).refusal };
    else if (raw.type === 'input_image') {
      if (!imagesAllowed) throw invalidRequest(`Invalid value for '${where}': images belong to user messages`, where);
      const image = check(inputImage, raw, where);
      if (image.image_url === undefined) throw invalidRequest(`Invalid value for '${where}': file_id images are not supported (send image_url)`, where, 'unsupported_value');
      part = imagePart({ image_url: { url: image.image_url, ...(image.detail ? { detail: image.detail } : {}) } }, where);
    } else throw invalidRequest(`Invalid value for '${where}.type': '${raw.type}' is not supported (input_text, input_image, output_text)`, `${where}.type`, 'unsupported_value');
    const mark = marks?.read(raw.cache_control, where);
    if (mark) part.cacheControl = mark;
    parts.push(part);
  });
  const text = parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
  return parts.some((p) => p.type === 'image' || p.cacheControl) ? { text, parts } : { text };
}

/**
 * One input item, read: a turn, a function call (calls in a row become one assistant turn), or a
 * reference to an item of a stored response (the Vercel AI SDK sends earlier answers so).
 */
export type InputEntry = { kind: 'turn'; turn: ChatMessage } | { kind: 'call'; call: ToolCall } | { kind: 'reference'; id: string; at: string };

/** Entries → neutral turns; a run of function calls is one assistant turn, as the chat wire formats want. */
export function toTurns(entries: readonly InputEntry[]): ChatMessage[] {
  const turns: ChatMessage[] = [];
  for (const entry of entries) {
    if (entry.kind === 'reference') throw new Error(`unresolved item reference ${entry.id}`);
    if (entry.kind === 'turn') {
      turns.push({ ...entry.turn });
      continue;
    }
    const last = turns.at(-1);
    if (last?.role === 'assistant' && last.toolCalls) last.toolCalls.push(entry.call);
    else if (last?.role === 'assistant' && last.content !== '') last.toolCalls = [entry.call];
    else turns.push({ role: 'assistant', content: '', toolCalls: [entry.call] });
  }
  return turns;
}

/** A stored output or input item (its JSON as listed) as an entry: an assistant's text or call, or any input item. */
export function entryOfItem(item: Record<string, unknown>, at: string): InputEntry[] {
  if (item.type === 'function_call') {
    const c = check(functionCallItem, item, at);
    return [{ kind: 'call', call: { id: c.call_id, name: c.name, arguments: c.arguments } }];
  }
  return readInput([item as never], [], () => '', undefined).entries;
}

function readInput(input: ResponsesBody['input'], warnings: string[], idOf: (i: number) => string, marks: CacheMarks | undefined): { entries: InputEntry[]; items: InputItemView[] } {
  if (input === undefined) throw invalidRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  if (typeof input === 'string') {
    return {
      entries: [{ kind: 'turn', turn: { role: 'user', content: input } }],
      items: [{ id: idOf(0), type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: input }] }],
    };
  }
  if (input.length === 0) throw invalidRequest("Invalid value for 'input': must not be empty", 'input');
  const entries: InputEntry[] = [];
  const items: InputItemView[] = [];
  input.forEach((raw, i) => {
    const at = `input.${i}`;
    const type = (raw as { type?: unknown }).type ?? 'message';
    if (type === 'message') {
      const m = check(messageItem, raw, at);
      const role = m.role === 'developer' ? 'system' : m.role;
      const { text, parts } = readContent(m.content, at, role === 'user', marks);
      entries.push({ kind: 'turn', turn: parts ? { role, content: text, parts } : { role, content: text } });
      const content = typeof m.content === 'string' ? [{ type: role === 'assistant' ? 'output_text' : 'input_text', text: m.content }] : m.content;
      items.push({ id: idOf(i), type: 'message', role: m.role, status: 'completed', content });
    } else if (type === 'function_call') {
      const c = check(functionCallItem, raw, at);
      entries.push({ kind: 'call', call: { id: c.call_id, name: c.name, arguments: c.arguments } });
      items.push({ id: idOf(i), type: 'function_call', status: 'completed', call_id: c.call_id, name: c.name, arguments: c.arguments });
    } else if (type === 'function_call_output') {
      const o = check(functionCallOutputItem, raw, at);
      const output = typeof o.output === 'string' ? o.output : o.output.map((p) => p.text).join('\n');
      entries.push({ kind: 'turn', turn: { role: 'tool', content: output, toolCallId: o.call_id } });
      items.push({ id: idOf(i), type: 'function_call_output', status: 'completed', call_id: o.call_id, output: o.output });
    } else if (type === 'item_reference') {
      const r = check(z.looseObject({ id: z.string().min(1).max(200) }), raw, at);
      entries.push({ kind: 'reference', id: r.id, at });
      items.push({ id: r.id, type: 'item_reference' });
    } else if (type === 'reasoning') {
      const note = 'reasoning items in the input were left out (they are read only by the model that wrote them)';
      if (!warnings.includes(note)) warnings.push(note);
    } else {
      throw invalidRequest(`Invalid value for '${at}.type': '${String(type)}' is not supported (message, function_call, function_call_output, item_reference)`, `${at}.type`, 'unsupported_value');
    }
  });
  return { entries, items };
}

function readTools(tools: ResponsesBody['tools'], marks: CacheMarks): ToolDefinition[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  return tools.map((raw, i) => {
    if (raw.type !== 'function') {
      throw invalidRequest(`Invalid value for 'tools.${i}.type': Cerebro cannot run the built-in tool '${raw.type}'; only function tools are supported`, `tools.${i}.type`, 'unsupported_tool');
    }
    const t = check(z.looseObject({ name: functionName, description: z.string().nullish(), parameters: jsonSchemaObject.nullish(), strict: z.boolean().nullish() }), raw, `tools.${i}`);
    const out: ToolDefinition = { name: t.name };
    if (t.description != null) out.description = t.description;
    if (t.parameters != null) out.parameters = t.parameters;
    if (t.strict != null) out.strict = t.strict;
    const mark = marks.read(raw.cache_control, `tools.${i}`);
    if (mark) out.cacheControl = mark;
    return out;
  });
}

function readToolChoice(choice: ResponsesBody['tool_choice'], tools: ToolDefinition[] | undefined): ToolChoice | undefined {
  if (choice == null || !tools) return undefined;
  if (typeof choice === 'string') return choice;
  if (choice.type !== 'function' || !choice.name)
    throw invalidRequest("Invalid value for 'tool_choice': must be 'none', 'auto', 'required' or {\"type\":\"function\",\"name\":...}", 'tool_choice', 'unsupported_value');
  if (!tools.some((t) => t.name === choice.name)) throw invalidRequest(`Invalid value for 'tool_choice.name': no tool named '${choice.name}'`, 'tool_choice.name');
  return { name: choice.name };
}

function readFormat(text: ResponsesBody['text']): ResponseFormat | undefined {
  const format = text?.format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  const out: ResponseFormat = { type: 'json_schema', name: format.name, schema: format.schema };
  if (format.description !== undefined) out.description = format.description;
  if (format.strict != null) out.strict = format.strict;
  return out;
}

/** `idOf(i)`: the id given to input item i, for the input_items listing. */
export function parseResponsesRequest(body: unknown, ctx: ChatRequestContext, idOf: (i: number) => string): ResponsesRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.', null, 'invalid_body');
  const req = check(responsesRequestSchema, body, '');
  // Postgres text cannot hold U+0000: refused here, by name, for every field alike.
  const nul = nulPath(req, []);
  if (nul !== undefined) throw invalidRequest(`Invalid value for '${nul}': contains a NUL character`, nul);
  const warnings: string[] = [];
  const openaiExtras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(req)) {
    if (value === undefined || value === null) continue;
    const refusal = Object.hasOwn(UNSUPPORTED, key) ? UNSUPPORTED[key] : undefined;
    if (refusal !== undefined) throw invalidRequest(`${refusal} ('${key}') are not supported by this gateway.`, key, 'unsupported_parameter');
    if (IGNORED.has(key)) warnings.push(`${key} is not supported by this gateway and was ignored`);
    else if (PASSED_ON.has(key)) {
      if (key === 'prompt_cache_key') checkPromptCacheKey(value);
      openaiExtras[key] = value;
    } else if (!Object.hasOwn(responsesRequestSchema.shape, key)) warnings.push(`unknown parameter '${key}' was ignored`);
  }
  const marks = new CacheMarks();
  const { entries, items } = readInput(req.input, warnings, idOf, marks);
  // With item references, the turns are known once the route has looked them up.
  const turns = entries.some((e) => e.kind === 'reference') ? [] : toTurns(entries);
  const tools = readTools(req.tools, marks);
  marks.checkLimit();
  const params: ChatParams = {};
  if (req.max_output_tokens != null) params.maxTokens = req.max_output_tokens;
  if (req.temperature != null) params.temperature = req.temperature;
  if (req.top_p != null) params.topP = req.top_p;
  if (tools) params.tools = tools;
  const choice = readToolChoice(req.tool_choice, tools);
  if (choice !== undefined) params.toolChoice = choice;
  if (tools && req.parallel_tool_calls != null) params.parallelToolCalls = req.parallel_tool_calls;
  const format = readFormat(req.text);
  if (format) params.responseFormat = format;
  if (req.reasoning?.effort != null) openaiExtras.reasoning_effort = req.reasoning.effort;
  if (req.user != null) openaiExtras.user = req.user;
  if (Object.keys(openaiExtras).length > 0) params.openaiExtras = openaiExtras;
  const instructions = req.instructions ?? null;
  const messages: ChatMessage[] = instructions ? [{ role: 'system', content: instructions }, ...turns] : turns;
  return {
    input: {
      requestId: ctx.requestId,
      caller: ctx.caller,
      model: req.model,
      messages,
      params,
      stream: req.stream === true,
      sessionId: sessionIdOf(req.session_id, ctx),
      priority: req.priority ?? 'normal',
      route: req.route ?? routeFromHeader(ctx.routeHeader),
      cache: req.cache !== false && !/\bno-(cache|store)\b/i.test(ctx.cacheControl ?? ''),
      endpoint: 'responses',
      warnings,
    },
    newTurns: turns,
    entries,
    instructions,
    inputItems: items,
    previousResponseId: req.previous_response_id ?? undefined,
    store: req.store !== false,
    body: req,
  };
}

/**
 * A conversation rebuilt from stored responses may start part-way (its oldest responses deleted, or
 * beyond the chain's limit): tool outputs whose call was cut off are dropped, as the chat wire
 * formats refuse a result with no call.
 */
export function withoutOrphanedResults(history: readonly ChatMessage[]): ChatMessage[] {
  const calls = new Set<string>();
  return history.filter((m) => {
    for (const c of m.toolCalls ?? []) calls.add(c.id);
    return m.role !== 'tool' || m.toolCallId === undefined || calls.has(m.toolCallId);
  });
}

/**
 * Every function_call_output must answer a call made earlier in the conversation (its own input, or
 * the responses before it): the chat wire formats refuse a result with no call.
 */
export function checkToolResults(messages: readonly ChatMessage[]): void {
  const calls = new Set<string>();
  for (const m of messages) {
    for (const c of m.toolCalls ?? []) calls.add(c.id);
    if (m.role === 'tool' && m.toolCallId !== undefined && !calls.has(m.toolCallId)) {
      throw invalidRequest(`No function call found for the function_call_output with call_id '${m.toolCallId}'.`, 'input', 'invalid_value');
    }
  }
}
