/**
 * What a request holds of its user's budgets from before its upstream call until it settles: its
 * daily tokens (its prompt and the answer it may get) and, with a session, the storage its turns
 * and answer will take. Either refusal is a 429 before any provider is called.
 *
 * A user with a daily limit who sends no `max_tokens` gets one for each target: what was reserved for the
 * answer, within what that target can write, so no answer runs past its reservation and concurrent
 * requests cannot overshoot the limit together.
 */
import { GatewayError } from '../core/errors.js';
import { NO_BUDGET_HOLD, type BudgetHold, type BudgetLedger } from '../accounts/budgets.js';
import type { Target } from '../routing/cascade.js';
import type { ModelCatalog } from '../routing/model-catalog.js';
import { isOperatorAccount } from './caller.js';
import type { CallerContext, CallerContexts } from './caller-context.js';
import type { ChatInput } from './chat-input.js';
import type { TokenReservation } from '../accounts/daily-usage.js';
import { newUserTurns } from './memory.js';
import { storedBytes, type StorageHold, type StorageQuota } from './storage-quota.js';

export interface RequestHolds {
  tokens: TokenReservation;
  /** Settled by the session write with what it stored; by the log row with 0 if nothing was. */
  storage: StorageHold;
  /** Its worst-case cost, held against the key's and the user's US-dollar budgets; settled with the real cost. */
  budget: BudgetHold;
}

/** The answer a request without `max_tokens` is expected to write: the plan's largest output limit, at most this. */
export const DEFAULT_OUTPUT_RESERVATION = 16_384;
const budgetsUnavailable = (cause: unknown) =>
  Object.assign(
    new GatewayError({
      status: 503,
      type: 'service_unavailable',
      code: 'budgets_unavailable',
      headers: { 'retry-after': '2' },
      message: "Your budget's spend cannot be read right now (the database is unreachable), so the request was not sent to any provider. Try again shortly.",
    }),
    { cause },
  );

/** When no target's output limit is known. */
const UNKNOWN_OUTPUT_RESERVATION = 4_096;
/** Bytes per token of an answer, for the storage it will take (UTF-8 text runs 3 to 4 per o200k token). */
const BYTES_PER_TOKEN = 4;

const NOTHING_STORED: StorageHold = { settle: () => undefined };

export interface Holding {
  holds: RequestHolds;
  /**
   * The `max_tokens` to send each target when the daily limit needs one (the caller gave none): what
   * was reserved for the answer, within what that target can write. Absent: the caller's own stands.
   */
  outputLimit?: (target: Target) => number;
  warnings: string[];
}

/** Tokens kept free of a context window for the framing a provider adds around the messages. */
const CONTEXT_MARGIN = 256;

export class RequestBudgets {
  constructor(
    private readonly contexts: CallerContexts,
    private readonly storage: StorageQuota | undefined,
    private readonly catalog: ModelCatalog,
    private readonly ledger?: BudgetLedger,
  ) {}

  async take(input: ChatInput, ctx: CallerContext, promptTokens: number, targets: readonly Target[]): Promise<Holding> {
    const output = input.params.maxTokens ?? this.expectedOutput(targets);
    // The operator's own requests are bound by no user quota.
    // Session turns and stored responses alike are held against the user's storage quota.
    const stores = (input.sessionId !== undefined || input.persist !== undefined) && this.storage !== undefined && !isOperatorAccount(input.caller);
    const turns = stores ? storedBytes(newUserTurns(input.messages).map((t) => t.content)) : 0;
    const storage = stores ? await this.storage!.hold(input.caller.userId, turns, output * BYTES_PER_TOKEN) : NOTHING_STORED;
    let tokens: TokenReservation;
    try {
      tokens = await this.contexts.reserveTokens(input.caller, ctx, promptTokens + output);
    } catch (err) {
      storage.settle(0);
      throw err;
    }
    let spend = NO_BUDGET_HOLD;
    const userBudgets = ctx.budgets ?? [];
    const budgets = input.caller.keyBudget ? [input.caller.keyBudget, ...userBudgets] : userBudgets;
    if (budgets.length > 0 && this.ledger) {
      try {
        spend = await this.ledger.reserve(budgets, this.worstCost(targets, promptTokens, output));
      } catch (err) {
        storage.settle(0);
        tokens.settle(0);
        // A budget exceeded is the caller's answer; a spend that cannot be read (the database away) is a 503.
        throw err instanceof GatewayError ? err : budgetsUnavailable(err);
      }
    }
    const holds = { storage, tokens, budget: spend };
    if (input.params.maxTokens !== undefined) return { holds, warnings: [] };
    // A budget held the plan's output reservation: each target is sent it as max_tokens, so the hold is a ceiling.
    if (ctx.dailyTokenLimit === null) return spend === NO_BUDGET_HOLD ? { holds, warnings: [] } : { holds, outputLimit: (target) => this.outputFor(target, output, promptTokens), warnings: [] };
    const budget = Math.max(1, tokens.held - promptTokens);
    const warnings = budget < output ? [`max_tokens set to at most ${budget}: what your daily token limit leaves for this answer`] : [];
    return { holds, outputLimit: (target) => this.outputFor(target, budget, promptTokens), warnings };
  }

  /** The dearest the request can be: its prompt and `output` at the plan's dearest target (a model outside the catalog costs nothing known). */
  private worstCost(targets: readonly Target[], promptTokens: number, output: number): number {
    let worst = 0;
    for (const t of targets) worst = Math.max(worst, this.catalog.cost(t.model, { promptTokens, completionTokens: output, totalTokens: promptTokens + output }));
    return worst;
  }

  /** The most the answer may take: the plan's largest output limit (4,096 for a model outside the catalog), at most 16,384. */
  private expectedOutput(targets: readonly Target[]): number {
    let largest = 0;
    for (const t of targets) largest = Math.max(largest, this.catalog.get(t.model)?.max_output ?? UNKNOWN_OUTPUT_RESERVATION);
    return largest === 0 ? UNKNOWN_OUTPUT_RESERVATION : Math.min(largest, DEFAULT_OUTPUT_RESERVATION);
  }

  /** What one target may be asked for: the budget, within its output limit and what its context window leaves. */
  private outputFor(target: Target, budget: number, promptTokens: number): number {
    const entry = this.catalog.get(target.model);
    if (!entry) return Math.min(budget, UNKNOWN_OUTPUT_RESERVATION);
    return Math.max(1, Math.min(budget, entry.max_output, entry.context_window - promptTokens - CONTEXT_MARGIN));
  }
}

/** The request is over: the tokens it really used and what it cost count, whatever it held and did not store is freed. */
export function settleHolds(holds: RequestHolds | undefined, usedTokens: number, costUsd: number): void {
  if (!holds) return;
  holds.tokens.settle(usedTokens);
  holds.budget.settle(costUsd);
  holds.storage.settle(0);
}
