/**
 * What the emulator does next, per provider: a queue of scripted behaviours, each used `times`
 * times (or forever), falling back to a normal answer when the queue is empty.
 */
import type { ScriptedCall } from './answer.js';
import type { ProviderId } from '../providers/definitions.js';

/**
 * The emulator speaks for every provider Cerebro defines (providers/definitions.ts): a provider added
 * there fails the type check here until the emulator has its wire format.
 */
export type EmulatedProvider = ProviderId;

export type Behavior =
  /**
   * A normal answer; `text` replaces the default echo; `toolCalls` makes the model call functions
   * the request offers; delays slow the headers and each stream chunk.
   */
  | { type: 'ok'; text?: string; toolCalls?: ScriptedCall[]; delayMs?: number; chunkDelayMs?: number }
  /** An error status in the provider's own error format. */
  | { type: 'error'; status: number; message?: string; retryAfterSeconds?: number }
  /**
   * Accepts the request and never answers (until the client gives up). With `keepAliveMs`, a
   * stream gets its headers and then only SSE comments, as OpenRouter sends while a model queues.
   */
  | { type: 'stall'; keepAliveMs?: number }
  /** Streams `afterChunks` content chunks, then drops the connection; non-streaming drops at once. */
  | { type: 'cut'; afterChunks: number }
  /** Streams `afterChunks` content chunks, then an in-band error event in the provider's format. */
  | { type: 'stream-error'; afterChunks: number; status?: number; message?: string }
  /** An HTML page instead of the provider's format, as a proxy or load balancer in front of it sends. */
  | { type: 'html'; status: number }
  /** The connection is reset before the first byte of an answer. */
  | { type: 'reset' };

export interface ScriptEntry {
  behavior: Behavior;
  /** Only for this model (default: any). */
  model?: string;
  /** How many requests it applies to; 0 or absent with `sticky` means forever. Default 1. */
  times?: number;
  sticky?: boolean;
}

export class Script {
  private readonly queues = new Map<EmulatedProvider, ScriptEntry[]>();

  add(provider: EmulatedProvider, entries: ScriptEntry[]): void {
    const queue = this.queues.get(provider) ?? [];
    queue.push(...entries.map((e) => ({ ...e })));
    this.queues.set(provider, queue);
  }

  /** The behaviour for the next request to this provider and model. */
  next(provider: EmulatedProvider, model: string): Behavior {
    const queue = this.queues.get(provider);
    if (!queue) return { type: 'ok' };
    const index = queue.findIndex((e) => e.model === undefined || e.model === model);
    if (index === -1) return { type: 'ok' };
    const entry = queue[index]!;
    if (!entry.sticky) {
      entry.times = (entry.times ?? 1) - 1;
      if (entry.times <= 0) queue.splice(index, 1);
    }
    return entry.behavior;
  }

  reset(): void {
    this.queues.clear();
  }
}
