/**
 * What a request holds of its user's budgets from before its upstream call until it settles: its
 * daily tokens (its prompt and the answer it may get) and, with a session, the storage its turns
 * and answer will take. Either refusal is a 429 before any provider is called.
 *
 * A user with a daily limit who sends no `max_tokens` gets one: what was reserved for the answer, so
 * no answer can run past its reservation and concurrent requests cannot overshoot the limit together.
 */
import type { ChatParams } from '../providers/types.js';
import type { Target } from '../routing/cascade.js';
import type { ModelCatalog } from '../routing/model-catalog.js';
import { isOperatorAccount } from './caller.js';
import type { CallerContext, CallerContexts } from './caller-context.js';
import type { ChatInput } from './chat-input.js';
import type { TokenReservation } from './daily-usage.js';
import { newUserTurns } from './memory.js';
import { storedBytes, type StorageHold, type StorageQuota } from './storage-quota.js';

export interface RequestHolds {
  tokens: TokenReservation;
  /** Settled by the session write with what it stored; by the log row with 0 if nothing was. */
  storage: StorageHold;
}

/** The answer a request without `max_tokens` is expected to write: the plan's smallest output limit, at most this. */
export const DEFAULT_OUTPUT_RESERVATION = 16_384;
/** When no target's output limit is known. */
const UNKNOWN_OUTPUT_RESERVATION = 4_096;
/** Bytes per token of an answer, for the storage it will take (UTF-8 text runs 3 to 4 per o200k token). */
const BYTES_PER_TOKEN = 4;

const NOTHING_STORED: StorageHold = { settle: () => undefined };

export interface Holding {
  holds: RequestHolds;
  /** The parameters to call with: `max_tokens` added when the daily limit needs one. */
  params: ChatParams;
  warnings: string[];
}

export class RequestBudgets {
  constructor(
    private readonly contexts: CallerContexts,
    private readonly storage: StorageQuota | undefined,
    private readonly catalog: ModelCatalog,
  ) {}

  async take(input: ChatInput, ctx: CallerContext, promptTokens: number, targets: readonly Target[]): Promise<Holding> {
    const output = input.params.maxTokens ?? this.expectedOutput(targets);
    // The operator's own requests are bound by no user quota.
    const stores = input.sessionId !== undefined && this.storage !== undefined && !isOperatorAccount(input.caller);
    const turns = stores ? storedBytes(newUserTurns(input.messages).map((t) => t.content)) : 0;
    const storage = stores ? await this.storage!.hold(input.caller.userId, turns, output * BYTES_PER_TOKEN) : NOTHING_STORED;
    let tokens: TokenReservation;
    try {
      tokens = await this.contexts.reserveTokens(input.caller, ctx, promptTokens + output);
    } catch (err) {
      storage.settle(0);
      throw err;
    }
    const holds = { storage, tokens };
    if (ctx.dailyTokenLimit === null || input.params.maxTokens !== undefined) return { holds, params: input.params, warnings: [] };
    const maxTokens = Math.max(1, tokens.held - promptTokens);
    const warnings = maxTokens < output ? [`max_tokens set to ${maxTokens}: what your daily token limit leaves for this answer`] : [];
    return { holds, params: { ...input.params, maxTokens }, warnings };
  }

  /** No target of the plan can be asked for more than its own output limit. */
  private expectedOutput(targets: readonly Target[]): number {
    let smallest = Infinity;
    for (const t of targets) smallest = Math.min(smallest, this.catalog.get(t.model)?.max_output ?? Infinity);
    return smallest === Infinity ? UNKNOWN_OUTPUT_RESERVATION : Math.min(smallest, DEFAULT_OUTPUT_RESERVATION);
  }
}

/** The request is over: the tokens it really used count, whatever it held and did not store is freed. */
export function settleHolds(holds: RequestHolds | undefined, usedTokens: number): void {
  if (!holds) return;
  holds.tokens.settle(usedTokens);
  holds.storage.settle(0);
}
