/**
 * Budgets in US dollars, on a gateway key or a user: a limit and a period (daily, weekly, monthly, or
 * none for a lifetime). A request reserves its worst-case cost before any upstream call and settles
 * the real cost after, so concurrent requests cannot overspend together by more than one request.
 * The periods are pure; the ledgers keep the spend (budget-ledger.ts in memory, shared-state's in Redis).
 */
import { GatewayError } from '../core/errors.js';

export const BUDGET_PERIODS = ['daily', 'weekly', 'monthly'] as const;
/** null: a lifetime budget. */
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number] | null;

export interface Budget {
  /** `key:<id>` or `user:<id>`. */
  scope: string;
  limitUsd: number;
  period: BudgetPeriod;
}

/** The current period's window: its start, and its end (null for a lifetime budget), ms since the epoch (UTC). */
export function budgetWindow(period: BudgetPeriod, now: number): { start: number; end: number | null } {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  if (period === null) return { start: 0, end: null };
  if (period === 'daily') return { start: Date.UTC(y, m, day), end: Date.UTC(y, m, day + 1) };
  if (period === 'monthly') return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
  // Weeks start on Monday (ISO 8601).
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return { start: Date.UTC(y, m, day - sinceMonday), end: Date.UTC(y, m, day - sinceMonday + 7) };
}

/** When a budget's current period ends, as the API says it (null for a lifetime budget). */
export function budgetResetsAt(period: BudgetPeriod, now: number): string | null {
  const end = budgetWindow(period, now).end;
  return end === null ? null : new Date(end).toISOString();
}

/** What a budget has spent this period, in whole millionths of a dollar, as the API shows it. */
export async function spentUsd(ledger: BudgetLedger, budget: Budget): Promise<number> {
  return Math.round((await ledger.spent(budget)) * 1e6) / 1e6;
}

/** What a budget has held for one request, settled with its real cost (0 when it cost nothing). */
export interface BudgetHold {
  settle(costUsd: number): void;
}

export const NO_BUDGET_HOLD: BudgetHold = { settle: () => undefined };

/** What a ledger needs to know of spend before it counted any: the logs' total since the window's start. */
export type SpendSince = (scope: string, sinceIso: string) => Promise<number>;

export interface BudgetLedger {
  /** Holds `amountUsd` against every budget at once, or none: throws budget_exceeded for the first that cannot take it. */
  reserve(budgets: readonly Budget[], amountUsd: number): Promise<BudgetHold>;
  /** What a budget has spent in its current window (settled, not held). */
  spent(budget: Budget): Promise<number>;
  /** The budgets requests used lately (for /metrics), at most a bounded number. */
  tracked(): Budget[];
  /** Forgets what it read of the logs, so each budget's spend is read again (a fallback's ledger, as it takes over). */
  forget?(): void;
}

/** The budgets a ledger has seen lately, by scope, bounded (oldest forgotten first). */
export class RecentBudgets {
  private readonly seen = new Map<string, Budget>();

  constructor(private readonly max = 10_000) {}

  note(budgets: readonly Budget[]): void {
    for (const b of budgets) {
      this.seen.delete(b.scope);
      this.seen.set(b.scope, b);
      if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
    }
  }

  list(): Budget[] {
    return [...this.seen.values()];
  }
}

const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

export function budgetExceeded(budget: Budget, spentUsd: number, now: number): GatewayError {
  const { end } = budgetWindow(budget.period, now);
  const whose = budget.scope.startsWith('key:') ? "This gateway key's" : 'Your';
  const per = budget.period === null ? '' : ` ${budget.period}`;
  const resets = end === null ? 'It does not reset (a lifetime budget): ask for a larger one.' : `It resets at ${new Date(end).toISOString()}.`;
  return new GatewayError({
    status: 429,
    type: 'rate_limit_error',
    code: 'budget_exceeded',
    message: `${whose}${per} budget of ${usd(budget.limitUsd)} is spent (${usd(spentUsd)} so far, counting requests under way). ${resets}`,
    ...(end === null ? {} : { headers: { 'retry-after': String(Math.max(1, Math.ceil((end - now) / 1000))) } }),
    details: { budget_usd: budget.limitUsd, spend_usd: Math.round(spentUsd * 1e6) / 1e6, budget_period: budget.period, resets_at: budgetResetsAt(budget.period, now) },
  });
}
