/**
 * The Anthropic Messages request (POST /v1/messages) as the gateway accepts it, read into the same
 * neutral ChatInput as an OpenAI request, so Claude-format clients get the same routing, memory,
 * limits and logs. Parameters with no neutral equivalent are reported as warnings.
 * @see https://docs.anthropic.com/en/api/messages
 */
import { z } from 'zod';
import type { ChatInput } from '../gateway/chat-input.js';
import { invalidRequest } from '../core/errors.js';
import type { ChatMessage, ChatParams, ContentPart, ToolChoice, ToolDefinition } from '../providers/types.js';
import { CacheMarks } from './cache-control.js';
import { paramPath, routeFromHeader, sessionIdOf, type ChatRequestContext } from './chat-request.js';
import { SESSION_ID_PATTERN } from './request-patterns.js';

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.enum(IMAGE_TYPES), data: z.string().min(1) }),
    z.looseObject({ type: z.literal('url'), url: z.string().regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL') }),
  ]),
});
const toolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()) });
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.union([textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
});
/** Extended thinking from an earlier answer, sent back by Claude clients: no other upstream reads it. */
const thinkingBlock = z.looseObject({ type: z.enum(['thinking', 'redacted_thinking']) });
const block = z.discriminatedUnion('type', [textBlock, imageBlock, toolUseBlock, toolResultBlock, thinkingBlock], {
  message: "must be a block of type 'text', 'image', 'tool_use', 'tool_result' or 'thinking'",
});

export const messagesRequestSchema = z.looseObject({
  model: z.string({ message: 'Field required' }).regex(/^[\x21-\x7e]{1,256}$/, 'must be at most 256 visible ASCII characters'),
  max_tokens: z.number({ message: 'Field required' }).int().min(1),
  messages: z.array(z.looseObject({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(block)]) }), { message: 'Field required' }).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop_sequences: z.array(z.string()).optional(),
  tools: z
    .array(
      z.looseObject({
        name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z A-Z 0-9 _ -'),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()),
      }),
    )
    .optional(),
  tool_choice: z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional(), disable_parallel_tool_use: z.boolean().optional() }).optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  // The request-wide breakpoint (read by CacheMarks, like every block's).
  cache_control: z.unknown().optional(),
  // Cerebro's own, as on /v1/chat/completions.
  session_id: z.string().regex(SESSION_ID_PATTERN, 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ -').optional(),
});

/** Fields read above, or reported as ignored when present. */
const IGNORED = new Set(['top_k', 'thinking', 'service_tier', 'container', 'mcp_servers', 'context_management']);

type Block = z.infer<typeof block>;

const THINKING_DROPPED = 'thinking blocks in earlier answers were left out (they are read only by the model that wrote them)';

function imagePart(b: z.infer<typeof imageBlock>): ContentPart {
  return b.source.type === 'base64' ? { type: 'image', image: { kind: 'data', mediaType: b.source.media_type, data: b.source.data } } : { type: 'image', image: { kind: 'url', url: b.source.url } };
}

/** Text and image blocks (`at`: where each was given) as a neutral turn of `role`, with their cache breakpoints. */
function contentTurn(role: 'user' | 'assistant' | 'system' | 'tool', blocks: Array<{ block: Block; at: string }>, marks: CacheMarks): ChatMessage | undefined {
  const parts: ContentPart[] = [];
  for (const { block: b, at } of blocks) {
    const part: ContentPart | undefined = b.type === 'text' ? { type: 'text', text: b.text } : b.type === 'image' ? imagePart(b) : undefined;
    if (!part) continue;
    const mark = marks.read(b.cache_control, at);
    if (mark) part.cacheControl = mark;
    parts.push(part);
  }
  const text = parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join(role === 'system' ? '\n\n' : '\n');
  if (parts.length === 0) return undefined;
  return parts.some((p) => p.type === 'image' || p.cacheControl) ? { role, content: text, parts } : { role, content: text };
}

function toolResultText(content: z.infer<typeof toolResultBlock>['content'], isError: boolean | undefined, warnings: string[]): string {
  if (Array.isArray(content) && content.some((b) => b.type === 'image')) warnings.push('images inside a tool_result were left out (tool results travel as text)');
  const text = typeof content === 'string' ? content : (content ?? []).flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
  // Other upstreams have no error flag on a tool result: it is said in the text.
  return isError ? `Error: ${text}` : text;
}

/** Anthropic turns → neutral messages: tool results become tool turns, tool_use blocks an assistant's calls. */
function readMessages(system: z.infer<typeof messagesRequestSchema>['system'], raw: z.infer<typeof messagesRequestSchema>['messages'], warnings: string[], marks: CacheMarks): ChatMessage[] {
  const out: ChatMessage[] = [];
  const systemBlocks = typeof system === 'string' ? [{ block: { type: 'text' as const, text: system }, at: 'system' }] : (system ?? []).map((b, j) => ({ block: b, at: `system.${j}` }));
  const systemTurn = contentTurn('system', systemBlocks, marks);
  if (systemTurn && systemTurn.content !== '') out.push(systemTurn);
  const calls = new Set<string>();
  raw.forEach((m, i) => {
    const given: Block[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    const blocks = given.map((block, j) => ({ block, at: `messages.${i}.content.${j}` })).filter(({ block: b }) => b.type !== 'thinking' && b.type !== 'redacted_thinking');
    if (blocks.length < given.length && !warnings.includes(THINKING_DROPPED)) warnings.push(THINKING_DROPPED);
    if (m.role === 'assistant') {
      const turn = contentTurn('assistant', blocks, marks) ?? { role: 'assistant', content: '' };
      const uses = blocks.filter((b): b is { block: z.infer<typeof toolUseBlock>; at: string } => b.block.type === 'tool_use');
      if (uses.length > 0) {
        turn.toolCalls = uses.map(({ block: u, at }) => {
          const mark = marks.read(u.cache_control, at);
          return { id: u.id, name: u.name, arguments: JSON.stringify(u.input), ...(mark ? { cacheControl: mark } : {}) };
        });
        for (const { block: u } of uses) calls.add(u.id);
      }
      out.push(turn);
      return;
    }
    for (const { block: b, at } of blocks) {
      if (b.type === 'tool_use') throw invalidRequest(`${at}: tool_use blocks belong to assistant messages`, at);
      if (b.type !== 'tool_result') continue;
      if (!calls.has(b.tool_use_id)) throw invalidRequest(`${at}: tool_result for unknown tool_use_id '${b.tool_use_id}'`, `${at}.tool_use_id`);
      const result: ChatMessage = { role: 'tool', content: toolResultText(b.content, b.is_error, warnings), toolCallId: b.tool_use_id };
      const nested = Array.isArray(b.content)
        ? contentTurn(
            'tool',
            b.content.map((block, k) => ({ block, at: `${at}.content.${k}` })),
            marks,
          )
        : undefined;
      // The result's own text blocks are kept as blocks when one carries a breakpoint (an error says so first, as in the text).
      if (nested?.parts?.some((p) => p.cacheControl)) {
        const texts = nested.parts.filter((p) => p.type === 'text');
        result.parts = b.is_error ? [{ type: 'text', text: 'Error:' }, ...texts] : texts;
      }
      const mark = marks.read(b.cache_control, at);
      if (mark) result.cacheControl = mark;
      out.push(result);
    }
    const turn = contentTurn('user', blocks, marks);
    if (turn) out.push(turn);
  });
  for (const [i, m] of out.entries()) if (m.content.includes('\u0000')) throw invalidRequest(`messages.${i}: contains a NUL character`, 'messages');
  return out;
}

function readToolChoice(choice: z.infer<typeof messagesRequestSchema>['tool_choice'], hasTools: boolean): ToolChoice | undefined {
  if (!choice || !hasTools) return undefined;
  if (choice.type === 'tool') {
    if (!choice.name) throw invalidRequest('tool_choice.name: Field required', 'tool_choice.name');
    return { name: choice.name };
  }
  return choice.type === 'any' ? 'required' : choice.type;
}

export function parseMessagesRequest(body: unknown, ctx: ChatRequestContext): ChatInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.', null, 'invalid_body');
  const parsed = messagesRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = paramPath(issue.path);
    throw invalidRequest(`${param}: ${issue.message}`, param, issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value');
  }
  const req = parsed.data;
  const warnings: string[] = [];
  for (const key of Object.keys(req)) {
    if (IGNORED.has(key)) warnings.push(`${key} is not supported by this gateway and was ignored`);
    else if (!Object.hasOwn(messagesRequestSchema.shape, key)) warnings.push(`unknown parameter '${key}' was ignored`);
  }
  const marks = new CacheMarks();
  const params: ChatParams = { maxTokens: req.max_tokens };
  const requestMark = marks.read(req.cache_control, '');
  if (requestMark) params.cacheControl = requestMark;
  if (req.temperature !== undefined) params.temperature = req.temperature;
  if (req.top_p !== undefined) params.topP = req.top_p;
  if (req.stop_sequences && req.stop_sequences.length > 0) params.stop = req.stop_sequences;
  if (req.tools && req.tools.length > 0) {
    params.tools = req.tools.map((t, i) => {
      const tool: ToolDefinition = t.description === undefined ? { name: t.name, parameters: t.input_schema } : { name: t.name, description: t.description, parameters: t.input_schema };
      const mark = marks.read(t.cache_control, `tools.${i}`);
      if (mark) tool.cacheControl = mark;
      return tool;
    });
    const choice = readToolChoice(req.tool_choice, true);
    if (choice !== undefined) params.toolChoice = choice;
    if (req.tool_choice?.disable_parallel_tool_use) params.parallelToolCalls = false;
  }
  if (req.metadata?.user_id) params.openaiExtras = { user: req.metadata.user_id };
  const messages = readMessages(req.system, req.messages, warnings, marks);
  marks.checkLimit();
  return {
    requestId: ctx.requestId,
    caller: ctx.caller,
    model: req.model,
    messages,
    params,
    stream: req.stream === true,
    sessionId: sessionIdOf(req.session_id, ctx),
    priority: 'normal',
    route: routeFromHeader(ctx.routeHeader),
    cache: !/\bno-(cache|store)\b/i.test(ctx.cacheControl ?? ''),
    endpoint: 'messages',
    warnings,
  };
}
