/** Anthropic Messages: the request checks and event sequence of the real API. */
import { anthropicErrorType } from '../../providers/anthropic/error-types.js';
import { estimateTokens, type EmulatedAnswer } from '../answer.js';
import { digest, type CacheablePrompt, type CacheBreakpoint } from '../prompt-cache.js';
import { asRecord, contentText, imageMediaTypes, responseIds, sse, type EmulatedFormat } from './types.js';

/** The prompt's counts as Anthropic splits them: `input_tokens` is what was neither read from the cache nor written to it. */
const promptCounts = (a: EmulatedAnswer) => ({
  input_tokens: a.promptTokens - a.cache.read - a.cache.write,
  cache_creation_input_tokens: a.cache.write,
  cache_read_input_tokens: a.cache.read,
});

/** Usage as the real API reports it, with its always-present (often null) fields. */
const fullUsage = (a: EmulatedAnswer, output: number) => ({
  ...promptCounts(a),
  output_tokens: output,
  cache_creation: a.cache.write > 0 || a.cache.read > 0 ? { ephemeral_5m_input_tokens: a.cache.write - a.cache.write1h, ephemeral_1h_input_tokens: a.cache.write1h } : null,
  server_tool_use: null,
  service_tier: 'standard',
  inference_geo: null,
});

const MAX_BREAKPOINTS = 4;

function cacheMark(value: unknown, where: string): { ttl: '5m' | '1h' } | undefined {
  if (value === undefined || value === null) return undefined;
  const mark = value as { type?: unknown; ttl?: unknown };
  if (mark.type !== 'ephemeral') throw new Error(`${where}.cache_control.type: Input should be 'ephemeral'`);
  if (mark.ttl !== undefined && mark.ttl !== '5m' && mark.ttl !== '1h') throw new Error(`${where}.cache_control.ttl: Input should be '5m' or '1h'`);
  return { ttl: (mark.ttl as '5m' | '1h' | undefined) ?? '5m' };
}

/**
 * The prefixes a request marks, in the order the API caches them (tools, system, messages): each is
 * a running digest of the blocks up to the marked one, and their tokens. A top-level `cache_control`
 * marks the last block.
 */
function breakpointsOf(body: Record<string, unknown>): CacheablePrompt | undefined {
  const units: Array<{ block: unknown; text: string; mark: { ttl: '5m' | '1h' } | undefined }> = [];
  const strip = (block: unknown) => (typeof block === 'object' && block !== null ? { ...(block as Block), cache_control: undefined } : block);
  (Array.isArray(body.tools) ? (body.tools as Block[]) : []).forEach((t, i) => units.push({ block: strip(t), text: JSON.stringify(strip(t)), mark: cacheMark(t.cache_control, `tools.${i}`) }));
  if (typeof body.system === 'string') units.push({ block: body.system, text: body.system, mark: undefined });
  else blocksOf(body.system).forEach((b, i) => units.push({ block: strip(b), text: contentText([b]), mark: cacheMark(b.cache_control, `system.${i}`) }));
  (body.messages as Array<{ role?: unknown; content?: unknown }>).forEach((m, i) => {
    if (typeof m.content === 'string') units.push({ block: [m.role, m.content], text: m.content, mark: undefined });
    else
      blocksOf(m.content).forEach((b, j) =>
        units.push({ block: [m.role, strip(b)], text: contentText([b]) || JSON.stringify(b.input ?? ''), mark: cacheMark(b.cache_control, `messages.${i}.content.${j}`) }),
      );
  });
  const automatic = cacheMark(body.cache_control, 'cache_control');
  const last = units[units.length - 1];
  if (automatic && last && !last.mark) last.mark = automatic;
  const breakpoints: CacheBreakpoint[] = [];
  let key = digest(String(body.model));
  let tokens = 0;
  for (const unit of units) {
    key = digest(key + JSON.stringify(unit.block));
    tokens += estimateTokens(unit.text);
    if (unit.mark) breakpoints.push({ key, tokens, ttl: unit.mark.ttl });
  }
  if (breakpoints.length > MAX_BREAKPOINTS) throw new Error(`A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints.length}.`);
  return breakpoints.length > 0 ? { kind: 'explicit', breakpoints } : undefined;
}

const stopReason = (a: EmulatedAnswer) => (a.finish === 'length' ? 'max_tokens' : a.finish === 'tool_calls' ? 'tool_use' : 'end_turn');

type Block = Record<string, unknown>;
const blocksOf = (content: unknown): Block[] => (Array.isArray(content) ? (content as Block[]) : []);

/** tool_use blocks as the API returns them: arguments are an object, not JSON text. */
const toolUseBlocks = (a: EmulatedAnswer) =>
  a.toolCalls.map((c) => ({ type: 'tool_use', id: c.id.replace('call_', 'toolu_'), name: c.name, input: JSON.parse(c.arguments) as unknown, caller: { type: 'direct' } }));

/**
 * The API's pairing rule: every tool_use in an assistant turn is answered by a tool_result, at the
 * start of the very next (user) turn.
 */
function checkToolPairing(messages: Array<{ role?: unknown; content?: unknown }>): void {
  messages.forEach((m, i) => {
    const uses = blocksOf(m.content)
      .filter((b) => b.type === 'tool_use')
      .map((b) => String(b.id));
    if (m.role !== 'assistant' || uses.length === 0) return;
    const next = blocksOf(messages[i + 1]?.content);
    const results = new Set(next.filter((b) => b.type === 'tool_result').map((b) => String(b.tool_use_id)));
    const missing = uses.filter((id) => !results.has(id));
    if (missing.length > 0) {
      throw new Error(
        `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    }
    const firstOther = next.findIndex((b) => b.type !== 'tool_result');
    if (firstOther !== -1 && next.slice(firstOther).some((b) => b.type === 'tool_result')) throw new Error(`messages.${i + 1}: tool_result blocks must come first in the content`);
  });
}

export function anthropicFormat(): EmulatedFormat {
  const id = responseIds('msg_emu_');
  return {
    automaticCaching: false,
    readPrompt(raw) {
      const body = asRecord(raw);
      if (typeof body.model !== 'string') throw new Error('model: Field required');
      if (typeof body.max_tokens !== 'number') throw new Error('max_tokens: Field required');
      if (!Array.isArray(body.messages)) throw new Error('messages: Field required');
      if (typeof body.temperature === 'number' && (body.temperature < 0 || body.temperature > 1)) throw new Error('temperature: must be between 0 and 1');
      if (body.temperature !== undefined && body.top_p !== undefined) throw new Error('temperature and top_p cannot both be specified for this model');
      const turns: Array<{ role: string; text: string }> = [];
      if (typeof body.system === 'string') turns.push({ role: 'system', text: body.system });
      else if (Array.isArray(body.system)) turns.push({ role: 'system', text: contentText(body.system) });
      let previous = '';
      const images: string[] = [];
      const messages = body.messages as Array<{ role?: unknown; content?: unknown }>;
      for (const m of messages) {
        if (m.role !== 'user' && m.role !== 'assistant') throw new Error(`messages: Unexpected role "${String(m.role)}"`);
        if (m.role === previous) throw new Error('messages: roles must alternate between "user" and "assistant"');
        previous = m.role;
        images.push(...imageMediaTypes(m.content));
        const blocks = blocksOf(m.content);
        const onlyResults = blocks.length > 0 && blocks.every((b) => b.type === 'tool_result');
        turns.push({ role: onlyResults ? 'tool' : m.role, text: contentText(m.content) });
      }
      checkToolPairing(messages);
      let tools: Array<{ name: string; schema: unknown }> | undefined;
      if (body.tools !== undefined) {
        if (!Array.isArray(body.tools)) throw new Error('tools: Input should be a valid list');
        tools = (body.tools as Array<{ name?: unknown; input_schema?: { type?: unknown } }>).map((t, i) => {
          if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(t.name)) throw new Error(`tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
          if (t.input_schema?.type !== 'object') throw new Error(`tools.${i}.input_schema.type: Input should be 'object'`);
          return { name: t.name, schema: t.input_schema };
        });
      }
      const choice = body.tool_choice as { type?: string; name?: string } | undefined;
      if (choice !== undefined && !tools) throw new Error('tool_choice may only be specified while providing tools.');
      const forcedTool = choice?.type === 'tool' ? choice.name : choice?.type === 'any' ? tools?.[0]?.name : undefined;
      if (forcedTool !== undefined && !tools?.some((t) => t.name === forcedTool)) throw new Error(`tool_choice: tool '${String(forcedTool)}' not found in tools`);
      const cacheable = breakpointsOf(body);
      return {
        model: body.model,
        turns,
        maxTokens: body.max_tokens,
        ...(cacheable ? { cacheable } : {}),
        stream: body.stream === true,
        ...(tools ? { tools } : {}),
        ...(forcedTool ? { forcedTool } : {}),
        ...(images.length > 0 ? { images } : {}),
      };
    },
    authorized: (headers) => typeof headers['x-api-key'] === 'string' && headers['x-api-key'] !== '' && typeof headers['anthropic-version'] === 'string',
    response: (p, a) => ({
      id: id(p),
      type: 'message',
      role: 'assistant',
      model: p.model,
      content: [...(a.pieces.length > 0 || a.toolCalls.length === 0 ? [{ type: 'text', text: a.pieces.join(''), citations: null }] : []), ...toolUseBlocks(a)],
      stop_reason: stopReason(a),
      stop_sequence: null,
      stop_details: null,
      container: null,
      usage: fullUsage(a, a.completionTokens),
    }),
    streamStart: (p, a) => [
      sse(
        {
          type: 'message_start',
          message: {
            id: id(p),
            type: 'message',
            role: 'assistant',
            model: p.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            stop_details: null,
            container: null,
            usage: fullUsage(a, 1),
          },
        },
        'message_start',
      ),
      ...(a.pieces.length > 0 || a.toolCalls.length === 0 ? [sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '', citations: null } }, 'content_block_start')] : []),
      sse({ type: 'ping' }, 'ping'),
    ],
    streamPiece: (_p, piece) => sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }, 'content_block_delta'),
    streamEnd: (_p, a) => [
      ...(a.pieces.length > 0 || a.toolCalls.length === 0 ? [sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop')] : []),
      ...toolUseBlocks(a).flatMap((block, i) => {
        const index = i + (a.pieces.length > 0 ? 1 : 0);
        const json = JSON.stringify(block.input);
        const half = Math.ceil(json.length / 2);
        return [
          sse({ type: 'content_block_start', index, content_block: { ...block, input: {} } }, 'content_block_start'),
          ...[json.slice(0, half), json.slice(half)]
            .filter(Boolean)
            .map((partial_json) => sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }, 'content_block_delta')),
          sse({ type: 'content_block_stop', index }, 'content_block_stop'),
        ];
      }),
      sse(
        {
          type: 'message_delta',
          delta: { stop_reason: stopReason(a), stop_sequence: null, stop_details: null, container: null },
          usage: { ...promptCounts(a), output_tokens: a.completionTokens, server_tool_use: null },
        },
        'message_delta',
      ),
      sse({ type: 'message_stop' }, 'message_stop'),
    ],
    streamError: (_p, status, message) => sse({ type: 'error', error: { type: anthropicErrorType(status), message } }, 'error'),
    errorBody: (status, message) => ({ type: 'error', error: { type: anthropicErrorType(status), message } }),
  };
}
