/**
 * Hands a stream's parts on to the edge while gathering the answer (text, usage, finish reason),
 * and settles the request when the stream ends: stored and logged on success, logged on failure,
 * logged as a departed caller when the edge stops reading. It ends only once the answer is stored,
 * so the edge's `[DONE]` always follows a stored answer.
 */
import { UpstreamError } from '../providers/errors.js';
import type { FinishReason, StreamPart, ToolCall, Usage } from '../providers/types.js';
import type { CancelSignal } from '../core/cancellation.js';
import { abortedError, type PartBatches, type StreamSuccess } from './executor.js';
import type { Attempt } from '../core/attempt.js';
import { DONE } from '../providers/upstream-call.js';

/** What the relayed stream came to, gathered as it passed: the service stores and logs this. */
export interface RelayedAnswer {
  /** The answer's text (on failure: with the tool calls' names and arguments, spent tokens too). */
  text: string;
  /** The function calls, whole, in the order they began. */
  toolCalls: ToolCall[];
  /** The attempts as the stream ended them: a failure part-way marks the one that was streaming. */
  attempts: Attempt[];
  usage: Usage | undefined;
  finishReason: FinishReason | undefined;
}

/** How a completed stream was settled (stored, logged, priced): what the edge's last event says. */
export interface StreamSummary {
  usage: Usage | undefined;
  costUsd: number;
  latencyMs: number;
  finishReason: FinishReason | undefined;
}

/** Where a stream's parts come from: an upstream (with its health report) or a cached answer's replay. */
export type StreamSource = Pick<StreamSuccess, 'target' | 'attempts' | 'warnings' | 'head' | 'rest' | 'settle'>;

/**
 * How the request is settled: each runs at most once, and one log row results. `completed` runs on
 * a whole answer, then `failed` too if storing it threw; `failed` alone on an upstream failure;
 * `abandoned` alone when the edge stops reading first.
 */
export interface RelayOutcomes {
  /** The whole answer arrived: store and log it, and say how it settled. A throw here fails the stream (no `[DONE]`). */
  completed(answer: RelayedAnswer): Promise<StreamSummary>;
  /** The upstream failed part-way, or storing the answer did: what was relayed before. */
  failed(err: unknown, relayed: RelayedAnswer): void;
  /** The edge stopped reading before the end: the caller went away with what was relayed. */
  abandoned(relayed: RelayedAnswer): void;
}

/**
 * Written out rather than as an async generator, like the upstream reader beneath it: it runs once
 * per upstream packet, and a generator's own machinery was a measurable share of that cost.
 */
export class StreamRelay implements PartBatches {
  private text = '';
  /** Tool calls' names and arguments as relayed: spent tokens too, should the stream end early. */
  private toolText = '';
  private usage: Usage | undefined;
  private finishReason: FinishReason | undefined;
  /** Function calls by their index in the answer, put together piece by piece. */
  private readonly calls = new Map<number, ToolCall>();
  private head: StreamPart[] | undefined;
  /** One of the outcomes has run. */
  private settled = false;
  private released = false;
  /**
   * Resolved once the answer is stored and logged, before the parts end: the one way a stream's end
   * is told. Rejected if the stream fails or is abandoned (nobody waits for it then).
   */
  readonly summary: Promise<StreamSummary>;
  private resolveSummary!: (summary: StreamSummary) => void;
  private rejectSummary!: (err: unknown) => void;

  constructor(
    private readonly source: StreamSource,
    private readonly signal: CancelSignal,
    private readonly outcomes: RelayOutcomes,
  ) {
    this.head = source.head;
    this.summary = new Promise<StreamSummary>((resolve, reject) => {
      this.resolveSummary = resolve;
      this.rejectSummary = reject;
    });
    this.summary.catch(() => undefined);
  }

  /** The attempts as the stream ended them (a failure part-way marks the last), once it has. */
  private ended: Attempt[] | undefined;

  /** What was relayed so far; on a failure, tool calls' text counts too (their tokens were spent). */
  private relayed(withTools: boolean): RelayedAnswer {
    return {
      text: withTools ? this.text + this.toolText : this.text,
      toolCalls: [...this.calls.values()],
      usage: this.usage,
      finishReason: this.finishReason,
      attempts: this.ended ?? this.source.attempts,
    };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StreamPart[], undefined>> {
    if (this.released) return Promise.resolve(DONE);
    const head = this.head;
    if (head !== undefined) {
      this.head = undefined;
      this.observe(head);
      return Promise.resolve({ value: head, done: false });
    }
    return this.source.rest.next().then(this.onBatch, this.onUpstreamError);
  }

  /** The edge stopped reading: the caller went away (unless the stream had settled), and the upstream is released. */
  async return(): Promise<IteratorReturnResult<undefined>> {
    if (!this.settled) {
      this.settled = true;
      this.outcomes.abandoned(this.relayed(true));
      this.rejectSummary(new Error('the caller went away'));
    }
    await this.release();
    return DONE;
  }

  private readonly onBatch = (result: IteratorResult<StreamPart[], undefined>): IteratorResult<StreamPart[], undefined> | Promise<IteratorResult<StreamPart[], undefined>> => {
    // Settled meanwhile (the edge called return() without waiting for this read): nothing more to do.
    if (this.settled) return DONE;
    if (result.done) return this.complete();
    this.observe(result.value);
    return result;
  };

  private observe(batch: readonly StreamPart[]): void {
    for (const part of batch) {
      if (part.type === 'text-delta') this.text += part.text;
      else if (part.type === 'tool-call-delta') {
        this.toolText += (part.name ?? '') + part.argumentsDelta;
        let call = this.calls.get(part.index);
        if (!call) this.calls.set(part.index, (call = { id: '', name: '', arguments: '' }));
        if (part.id !== undefined) call.id = part.id;
        if (part.name !== undefined) call.name = part.name;
        call.arguments += part.argumentsDelta;
      } else if (part.type === 'usage') this.usage = part.usage;
      else if (part.type === 'finish') this.finishReason = part.finishReason;
    }
  }

  private async complete(): Promise<IteratorReturnResult<undefined>> {
    this.settled = true;
    try {
      this.source.settle?.ok();
      this.resolveSummary(await this.outcomes.completed(this.relayed(false)));
      return DONE;
    } catch (err) {
      this.outcomes.failed(err, this.relayed(true));
      this.rejectSummary(err);
      throw err;
    } finally {
      await this.release();
    }
  }

  private readonly onUpstreamError = async (err: unknown): Promise<never> => {
    // The edge left first (return() without waiting for this read): its release is what failed here.
    if (this.settled) throw err;
    this.settled = true;
    const { signal, source } = this;
    try {
      // A provider that drops streams after the first token is not healthy, whatever its first byte said.
      if (!signal.aborted && err instanceof UpstreamError) source.settle?.failed(err);
      // The attempts as they ended: the one that was streaming failed part-way (a new list: the source's is left as it was).
      const said = signal.aborted ? abortedError(signal, source.attempts).message : err instanceof UpstreamError ? err.publicMessage : (err as Error).message;
      const attempts = source.attempts.map((a, i) =>
        i < source.attempts.length - 1
          ? a
          : { ...a, status: 'error' as const, error: `failed mid-stream: ${said}`, reason: !signal.aborted && err instanceof UpstreamError ? err.reason : 'cancelled' },
      );
      this.ended = attempts;
      const failure = signal.aborted ? abortedError(signal, attempts) : err;
      this.outcomes.failed(failure, this.relayed(true));
      this.rejectSummary(failure);
      throw failure;
    } finally {
      await this.release();
    }
  };

  /** A caller that went away stops the upstream stream too. */
  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.source.rest.return().catch(() => undefined);
  }
}
