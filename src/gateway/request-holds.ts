/**
 * What a request holds of its user's budgets from before its upstream call until it settles: its
 * daily tokens (its prompt and the answer it may get) and, with a session, the storage its turns
 * will take. Either refusal is a 429 before any provider is called.
 */
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

const NOTHING_STORED: StorageHold = { settle: () => undefined };

export class RequestBudgets {
  constructor(
    private readonly contexts: CallerContexts,
    private readonly storage: StorageQuota | undefined,
  ) {}

  async take(input: ChatInput, ctx: CallerContext, expectedTokens: number): Promise<RequestHolds> {
    // The operator's own requests are bound by no user quota.
    const stores = input.sessionId !== undefined && this.storage !== undefined && !isOperatorAccount(input.caller);
    const storage = stores ? await this.storage!.hold(input.caller.userId, storedBytes(newUserTurns(input.messages).map((t) => t.content))) : NOTHING_STORED;
    try {
      return { storage, tokens: await this.contexts.reserveTokens(input.caller, ctx, expectedTokens) };
    } catch (err) {
      storage.settle(0);
      throw err;
    }
  }
}

/** The request is over: the tokens it really used count, whatever it held and did not store is freed. */
export function settleHolds(holds: RequestHolds | undefined, usedTokens: number): void {
  if (!holds) return;
  holds.tokens.settle(usedTokens);
  holds.storage.settle(0);
}
