/**
 * Response objects and stream events of the OpenAI Responses API, from the neutral answer.
 * The caller's own `metadata` is echoed as OpenAI does; Cerebro's (provider, cost, attempts) rides in
 * `cerebro`, since the Responses `metadata` is typed as string pairs by every SDK.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
import type { AnswerMetadata } from '../gateway/chat-service.js';
import type { ChatMessage, ChatResult, FinishReason, StreamPart, ToolCall, Usage } from '../providers/types.js';
import type { ResponsesBody } from './responses-request.js';

export type ResponseStatus = 'completed' | 'incomplete' | 'in_progress' | 'failed';

/** What a Response echoes of its request. */
export interface ResponseEcho {
  model: string;
  instructions: string | null;
  body: ResponsesBody;
  previousResponseId: string | undefined;
  store: boolean;
}

export type OutputItem = Record<string, unknown> & { id: string; type: string };

const itemId = (prefix: string, responseId: string, n: number) => `${prefix}_${responseId.replace(/^resp_/, '')}${n.toString(16).padStart(2, '0')}`;

export function messageItem(responseId: string, n: number, text: string, status: 'completed' | 'in_progress' | 'incomplete' = 'completed'): OutputItem {
  return { id: itemId('msg', responseId, n), type: 'message', status, role: 'assistant', content: status === 'in_progress' ? [] : [outputText(text)] };
}

const outputText = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });

export function functionCallItem(responseId: string, n: number, call: ToolCall, status: 'completed' | 'in_progress' = 'completed'): OutputItem {
  return { id: itemId('fc', responseId, n), type: 'function_call', status, call_id: call.id, name: call.name, arguments: status === 'in_progress' ? '' : call.arguments };
}

/** The answer's output items: its text as one message (when there is text), then each function call. */
export function outputItems(responseId: string, text: string, toolCalls: readonly ToolCall[] | undefined, incomplete: boolean): OutputItem[] {
  const items: OutputItem[] = [];
  if (text !== '' || !toolCalls || toolCalls.length === 0) items.push(messageItem(responseId, 0, text, incomplete ? 'incomplete' : 'completed'));
  for (const call of toolCalls ?? []) items.push(functionCallItem(responseId, items.length, call));
  return items;
}

export function responseUsage(usage: Usage | undefined) {
  const u = usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  return {
    input_tokens: u.promptTokens,
    input_tokens_details: { cached_tokens: u.cacheReadTokens ?? 0, cache_write_tokens: u.cacheWriteTokens ?? 0 },
    output_tokens: u.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.totalTokens,
  };
}

const incompleteReason = (finish: FinishReason | undefined) => (finish === 'length' ? 'max_output_tokens' : finish === 'content_filter' ? 'content_filter' : undefined);

export function responseObject(
  id: string,
  createdAt: number,
  echo: ResponseEcho,
  state: {
    status: ResponseStatus;
    output: OutputItem[];
    usage?: Usage | undefined;
    finish?: FinishReason | undefined;
    error?: { code: string; message: string };
    cerebro?: AnswerMetadata | undefined;
  },
) {
  const reason = incompleteReason(state.finish);
  const status = state.status === 'completed' && reason ? 'incomplete' : state.status;
  const b = echo.body;
  const text = state.output.flatMap((item) => (item.type === 'message' ? ((item.content as Array<{ text: string }>) ?? []).map((c) => c.text) : [])).join('');
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    completed_at: status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    error: state.error ?? null,
    incomplete_details: status === 'incomplete' && reason ? { reason } : null,
    instructions: echo.instructions,
    max_output_tokens: b.max_output_tokens ?? null,
    model: echo.model,
    output: state.output,
    output_text: text,
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: echo.previousResponseId ?? null,
    reasoning: { effort: b.reasoning?.effort ?? null, summary: null },
    store: echo.store,
    temperature: b.temperature ?? 1,
    text: { format: b.text?.format ?? { type: 'text' } },
    tool_choice: b.tool_choice ?? 'auto',
    tools: b.tools ?? [],
    top_p: b.top_p ?? 1,
    truncation: 'disabled',
    ...(state.status === 'in_progress' ? {} : { usage: responseUsage(state.usage) }),
    ...(b.user != null ? { user: b.user } : {}),
    metadata: b.metadata ?? {},
    ...(state.cerebro ? { cerebro: state.cerebro } : {}),
  };
}

export type ResponseBody = ReturnType<typeof responseObject>;

/** A complete answer as a Response. */
export function completedResponse(id: string, createdAt: number, echo: ResponseEcho, result: ChatResult, cerebro: AnswerMetadata): ResponseBody {
  const incomplete = incompleteReason(result.finishReason) !== undefined;
  return responseObject(id, createdAt, echo, { status: 'completed', output: outputItems(id, result.text, result.toolCalls, incomplete), usage: result.usage, finish: result.finishReason, cerebro });
}

/** The turns an answer adds to its conversation: the assistant's text and calls. */
export function answerTurn(text: string, toolCalls: readonly ToolCall[] | undefined): ChatMessage {
  const turn: ChatMessage = { role: 'assistant', content: text };
  if (toolCalls && toolCalls.length > 0) turn.toolCalls = [...toolCalls];
  return turn;
}

export type ResponseEvent = { event: string; data: Record<string, unknown> };

/**
 * Neutral stream parts → Responses events, each with its sequence number: the message item opens on
 * the first text, each function call as its own item; items close in order, then the response.
 */
export class ResponseEventEncoder {
  private sequence = 0;
  private readonly items: OutputItem[] = [];
  private text = '';
  /** The message item being written, if any. */
  private openText: number | undefined;
  /** Function calls by their index in the answer: each stays open until the end, so interleaved pieces land on the right one. */
  private readonly calls = new Map<number, { item: number; call: ToolCall; closed: boolean }>();

  constructor(
    private readonly id: string,
    private readonly createdAt: number,
    private readonly echo: ResponseEcho,
  ) {}

  private emit(out: ResponseEvent[], type: string, fields: Record<string, unknown>): void {
    out.push({ event: type, data: { type, sequence_number: this.sequence++, ...fields } });
  }

  private snapshot(status: ResponseStatus, extra: { usage?: Usage | undefined; finish?: FinishReason; error?: { code: string; message: string }; cerebro?: AnswerMetadata } = {}) {
    return responseObject(this.id, this.createdAt, this.echo, { status, output: this.items, ...extra });
  }

  start(): ResponseEvent[] {
    const out: ResponseEvent[] = [];
    this.emit(out, 'response.created', { response: this.snapshot('in_progress') });
    this.emit(out, 'response.in_progress', { response: this.snapshot('in_progress') });
    return out;
  }

  /** Opens a message item (text after a call, which is rare, gets a new one); returns its index. */
  private startText(out: ResponseEvent[]): number {
    const index = this.items.length;
    const item = messageItem(this.id, index, '', 'in_progress');
    this.items.push(item);
    this.text = '';
    this.openText = index;
    this.emit(out, 'response.output_item.added', { output_index: index, item });
    this.emit(out, 'response.content_part.added', { item_id: item.id, output_index: index, content_index: 0, part: outputText('') });
    return index;
  }

  private closeText(out: ResponseEvent[], status: 'completed' | 'incomplete' = 'completed'): void {
    const index = this.openText;
    if (index === undefined) return;
    this.openText = undefined;
    const item = messageItem(this.id, index, this.text, status);
    this.items[index] = item;
    const where = { item_id: item.id, output_index: index, content_index: 0 };
    this.emit(out, 'response.output_text.done', { ...where, text: this.text, logprobs: [] });
    this.emit(out, 'response.content_part.done', { ...where, part: outputText(this.text) });
    this.emit(out, 'response.output_item.done', { output_index: index, item });
  }

  private closeCalls(out: ResponseEvent[]): void {
    for (const entry of this.calls.values()) {
      if (entry.closed) continue;
      entry.closed = true;
      const item = functionCallItem(this.id, entry.item, entry.call);
      this.items[entry.item] = item;
      this.emit(out, 'response.function_call_arguments.done', { item_id: item.id, output_index: entry.item, name: entry.call.name, arguments: entry.call.arguments });
      this.emit(out, 'response.output_item.done', { output_index: entry.item, item });
    }
  }

  part(part: StreamPart): ResponseEvent[] {
    const out: ResponseEvent[] = [];
    if (part.type === 'text-delta' && part.text !== '') {
      const index = this.openText ?? this.startText(out);
      this.text += part.text;
      this.emit(out, 'response.output_text.delta', { item_id: this.items[index]!.id, output_index: index, content_index: 0, delta: part.text, logprobs: [] });
    } else if (part.type === 'tool-call-delta') {
      if (part.name !== undefined && !this.calls.has(part.index)) {
        this.closeText(out);
        const index = this.items.length;
        const call: ToolCall = { id: part.id ?? `call_${this.id.slice(5)}_${part.index}`, name: part.name, arguments: '' };
        const item = functionCallItem(this.id, index, call, 'in_progress');
        this.items.push(item);
        this.calls.set(part.index, { item: index, call, closed: false });
        this.emit(out, 'response.output_item.added', { output_index: index, item });
      }
      const entry = this.calls.get(part.index);
      if (entry && !entry.closed && part.argumentsDelta !== '') {
        entry.call.arguments += part.argumentsDelta;
        this.emit(out, 'response.function_call_arguments.delta', { item_id: this.items[entry.item]!.id, output_index: entry.item, delta: part.argumentsDelta });
      }
    }
    return out;
  }

  end(finish: FinishReason, usage: Usage | undefined, cerebro: AnswerMetadata): { events: ResponseEvent[]; response: ResponseBody } {
    const out: ResponseEvent[] = [];
    // An answer with no content at all still has its (empty) message.
    if (this.items.length === 0) this.startText(out);
    this.closeText(out, finish === 'length' ? 'incomplete' : 'completed');
    this.closeCalls(out);
    const response = this.snapshot('completed', { usage, finish, cerebro });
    this.emit(out, response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
    return { events: out, response };
  }

  /** `status`: the HTTP status the failure would have had; the Responses error codes are few. */
  failed(status: number, message: string): ResponseEvent[] {
    const out: ResponseEvent[] = [];
    const code = status === 429 ? 'rate_limit_exceeded' : 'server_error';
    this.emit(out, 'response.failed', { response: this.snapshot('failed', { error: { code, message } }) });
    return out;
  }
}
