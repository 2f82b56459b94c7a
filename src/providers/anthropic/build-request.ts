/**
 * Neutral call → Anthropic Messages request body.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use
 */
import { toolArgumentsObject } from '../tool-arguments.js';
import { plainToolCallId } from '../tool-call-id.js';
import type { CacheControl, ChatCall, ChatMessage, ContentPart, ResponseFormat, ToolChoice } from '../types.js';

export interface AnthropicBody {
  body: Record<string, unknown>;
  warnings: string[];
}

type Block = Record<string, unknown> & { type: string };
type Turn = { role: 'user' | 'assistant'; content: Block[] };

/** OpenAI-only parameters Anthropic has no equivalent for (`user` has one: metadata.user_id). */
function extrasWarnings(call: ChatCall): string[] {
  return Object.keys(call.params.openaiExtras ?? {})
    .filter((k) => k !== 'user')
    .map((k) => `${k} is not supported by anthropic and was ignored`);
}

/** Tool ids must match ^[a-zA-Z0-9_-]+$ upstream; other providers' ids may not. */
export const anthropicToolId = (id: string) => plainToolCallId(id).replace(/[^a-zA-Z0-9_-]/g, '_') || 'call';

/** The name of the tool that carries a JSON answer when the caller asked for `response_format`. */
export function jsonToolName(format: ResponseFormat | undefined): string | undefined {
  if (format === undefined) return undefined;
  return format.type === 'json_schema' ? format.name : 'json_response';
}

/** The block with the caller's cache breakpoint, exactly as given. */
const marked = (block: Block, mark: CacheControl | undefined): Block => (mark ? { ...block, cache_control: { ...mark } } : block);

function imageBlock(part: Extract<ContentPart, { type: 'image' }>): Block {
  const source = part.image.kind === 'data' ? { type: 'base64', media_type: part.image.mediaType, data: part.image.data } : { type: 'url', url: part.image.url };
  return marked({ type: 'image', source }, part.cacheControl);
}

/** A turn's text and images as blocks, each with its breakpoint; the turn's own breakpoint goes on its last block. */
function contentBlocks(m: ChatMessage): Block[] {
  const blocks: Block[] = [];
  if (m.parts) {
    for (const part of m.parts) {
      if (part.type === 'image') blocks.push(imageBlock(part));
      else if (part.text !== '') blocks.push(marked({ type: 'text', text: part.text }, part.cacheControl));
    }
  } else if (m.content !== '') {
    blocks.push({ type: 'text', text: m.content });
  }
  return blocks;
}

function blocksOf(m: ChatMessage, warnings: string[]): Block[] {
  if (m.role === 'tool') {
    // A result's own text blocks are sent as blocks when one carries a breakpoint; otherwise as text.
    const content = m.parts?.some((p) => p.cacheControl) ? contentBlocks(m) : m.content;
    return [marked({ type: 'tool_result', tool_use_id: anthropicToolId(m.toolCallId ?? ''), content }, m.cacheControl)];
  }
  const blocks = contentBlocks(m);
  for (const call of m.toolCalls ?? []) {
    blocks.push(marked({ type: 'tool_use', id: anthropicToolId(call.id), name: call.name, input: toolArgumentsObject(call.arguments, 'anthropic', warnings) }, call.cacheControl));
  }
  const last = blocks[blocks.length - 1];
  if (m.cacheControl && last && last.cache_control === undefined) blocks[blocks.length - 1] = marked(last, m.cacheControl);
  return blocks;
}

/** System turns as one string, or as text blocks when any carries a cache breakpoint (a string cannot). */
function systemOf(messages: readonly ChatMessage[]): string | Block[] | undefined {
  const turns = messages.filter((m) => m.role === 'system' || m.role === 'developer');
  if (turns.some((m) => m.cacheControl || m.parts?.some((p) => p.cacheControl))) {
    return turns.flatMap((m) => {
      const blocks = contentBlocks(m).filter((b) => b.type === 'text');
      const last = blocks[blocks.length - 1];
      if (m.cacheControl && last && last.cache_control === undefined) blocks[blocks.length - 1] = marked(last, m.cacheControl);
      return blocks;
    });
  }
  const texts = turns.map((m) => m.content).filter((t) => t !== '');
  return texts.length > 0 ? texts.join('\n\n') : undefined;
}

/**
 * System and developer turns become the top-level `system`; the rest alternate user/assistant,
 * so consecutive turns of one role are merged (the API rejects them otherwise). Tool results are
 * user turns holding `tool_result` blocks. Empty turns and answers before the first question are
 * refused upstream, so they are left out, and said so. A turn that is one text block is sent as a
 * plain string.
 */
export function toAnthropicMessages(messages: ChatMessage[]): {
  system: string | Block[] | undefined;
  messages: Array<{ role: 'user' | 'assistant'; content: string | Block[] }>;
  warnings: string[];
} {
  const turns: Turn[] = [];
  const warnings: string[] = [];
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') continue;
    const blocks = blocksOf(m, warnings);
    if (blocks.length === 0) {
      warnings.push(`an empty ${m.role} message was left out (anthropic refuses empty text)`);
      continue;
    }
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    if (turns.length === 0 && role === 'assistant') {
      warnings.push('assistant messages before the first user message were left out (anthropic requires a user message first)');
      continue;
    }
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  }
  const out = turns.map((t) => {
    const blocks = mergeTexts(t.content);
    const only = blocks.length === 1 ? blocks[0] : undefined;
    return { role: t.role, content: only?.type === 'text' && only.cache_control === undefined ? (only.text as string) : blocks };
  });
  return { system: systemOf(messages), messages: out, warnings };
}

/**
 * Adjacent text blocks from merged turns read as paragraphs of one block; a block with a cache
 * breakpoint stays whole, so the cached prefix ends exactly where the caller marked it.
 */
function mergeTexts(blocks: Block[]): Block[] {
  const out: Block[] = [];
  for (const b of blocks) {
    const last = out[out.length - 1];
    if (b.type === 'text' && last?.type === 'text' && last.cache_control === undefined && b.cache_control === undefined) {
      out[out.length - 1] = { type: 'text', text: `${last.text as string}\n\n${b.text as string}` };
    } else out.push(b);
  }
  return out;
}

/** Anthropic wants every input schema to be an object schema; OpenAI lets `{}` (no arguments) through. */
function objectSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (schema === undefined || Object.keys(schema).length === 0) return { type: 'object', properties: {} };
  return schema.type === undefined ? { type: 'object', ...schema } : schema;
}

function anthropicToolChoice(choice: ToolChoice, disableParallel: boolean): Record<string, unknown> {
  const base: Record<string, unknown> = choice === 'auto' ? { type: 'auto' } : choice === 'required' ? { type: 'any' } : choice === 'none' ? { type: 'none' } : { type: 'tool', name: choice.name };
  if (disableParallel && choice !== 'none') base.disable_parallel_tool_use = true;
  return base;
}

export function buildAnthropicBody(call: ChatCall, defaultMaxTokens: number): AnthropicBody {
  const { system, messages, warnings: messageWarnings } = toAnthropicMessages(call.messages);
  const warnings = [...extrasWarnings(call), ...messageWarnings];
  const p = call.params;
  const body: Record<string, unknown> = {
    model: call.model,
    // Required upstream; OpenAI makes it optional, so a default stands in.
    max_tokens: p.maxTokens ?? defaultMaxTokens,
    messages,
  };
  if (system !== undefined) body.system = system;
  if (p.temperature !== undefined) {
    // OpenAI allows 0–2; Anthropic 0–1.
    if (p.temperature > 1) warnings.push(`temperature ${p.temperature} exceeds anthropic's maximum of 1 and was sent as 1`);
    body.temperature = Math.min(p.temperature, 1);
  }
  if (p.topP !== undefined) {
    // Current Claude models refuse temperature and top_p together.
    if (p.temperature !== undefined) warnings.push('top_p was ignored: anthropic accepts temperature or top_p, not both');
    else body.top_p = p.topP;
  }
  if (p.stop !== undefined && p.stop.length > 0) body.stop_sequences = p.stop;
  const user = p.openaiExtras?.user;
  if (typeof user === 'string') body.metadata = { user_id: user };

  const tools: Block[] = (p.tools ?? []).map((t) => {
    const tool: Block = { type: 'custom', name: t.name, input_schema: objectSchema(t.parameters) };
    if (t.description !== undefined) tool.description = t.description;
    return marked(tool, t.cacheControl);
  });
  // Anthropic refuses tool_use/tool_result blocks in a request that defines no tools (a final
  // summarising turn often drops them): the tools the history used are declared, and not offered.
  let historyOnly = false;
  if (tools.length === 0) {
    const used = new Set(call.messages.flatMap((m) => (m.toolCalls ?? []).map((c) => c.name)));
    for (const name of used) tools.push({ type: 'custom', name, description: 'Used earlier in this conversation.', input_schema: { type: 'object' } });
    historyOnly = used.size > 0;
  }
  if (p.responseFormat !== undefined) {
    if (tools.length > 0) {
      warnings.push('response_format was ignored: anthropic is asked for JSON through a forced tool, which cannot be combined with your tools');
    } else {
      // Anthropic has no JSON mode: a tool whose input is the answer, and a tool_choice that forces it.
      const name = jsonToolName(p.responseFormat)!;
      const schema = objectSchema(p.responseFormat.type === 'json_schema' ? p.responseFormat.schema : undefined);
      const description = (p.responseFormat.type === 'json_schema' && p.responseFormat.description) || 'Give your whole answer as this tool’s input.';
      tools.push({ type: 'custom', name, description, input_schema: schema });
      body.tool_choice = { type: 'tool', name };
      warnings.push('response_format is emulated on anthropic by a forced tool call; the answer is its JSON input');
    }
  }
  if (tools.length > 0) body.tools = tools;
  if (historyOnly && body.tool_choice === undefined) body.tool_choice = { type: 'none' };
  if (p.toolChoice !== undefined && body.tool_choice === undefined && (p.tools?.length ?? 0) > 0) {
    body.tool_choice = anthropicToolChoice(p.toolChoice, p.parallelToolCalls === false);
  } else if (p.parallelToolCalls === false && (p.tools?.length ?? 0) > 0) {
    body.tool_choice = { type: 'auto', disable_parallel_tool_use: true };
  }
  if (p.cacheControl) body.cache_control = { ...p.cacheControl };
  if (call.stream) body.stream = true;
  return { body, warnings };
}
