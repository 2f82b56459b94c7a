/**
 * Budget spend counted in this process: per budget and window, what the logs held when it was first
 * needed, plus what requests settled since, plus what requests under way hold. One instance counts
 * exactly; several without Redis each count their own (as the daily token limit does).
 */
import { budgetExceeded, budgetWindow, RecentBudgets, type Budget, type BudgetHold, type BudgetLedger, type SpendSince } from './budgets.js';

interface Account {
  spent: number;
  held: number;
}

export class MemoryBudgetLedger implements BudgetLedger {
  /** `scope@windowStart` → its account; the accounts of past windows are dropped as they are passed. */
  private readonly accounts = new Map<string, Account | Promise<Account>>();
  private readonly recent = new RecentBudgets();

  constructor(
    private readonly spendSince: SpendSince,
    private readonly now: () => number,
  ) {}

  async reserve(budgets: readonly Budget[], amountUsd: number): Promise<BudgetHold> {
    if (budgets.length === 0) return { settle: () => undefined };
    this.recent.note(budgets);
    const now = this.now();
    const accounts = await Promise.all(budgets.map((b) => this.account(b, now)));
    // Checked and held in one synchronous step: no other request can come between.
    budgets.forEach((b, i) => {
      const a = accounts[i]!;
      if (a.spent + a.held + amountUsd > b.limitUsd) throw budgetExceeded(b, a.spent + a.held, now);
    });
    for (const a of accounts) a.held += amountUsd;
    let settled = false;
    return {
      settle: (costUsd) => {
        if (settled) return;
        settled = true;
        for (const a of accounts) {
          a.held -= amountUsd;
          a.spent += Math.max(0, costUsd);
        }
      },
    };
  }

  async spent(budget: Budget): Promise<number> {
    return (await this.account(budget, this.now())).spent;
  }

  tracked(): Budget[] {
    return this.recent.list();
  }

  forget(): void {
    this.accounts.clear();
  }

  private async account(budget: Budget, now: number): Promise<Account> {
    const { start } = budgetWindow(budget.period, now);
    const key = `${budget.scope}@${start}`;
    const found = this.accounts.get(key);
    if (found) return found;
    // Loaded once per window, by the first request that needs it; others wait for the same load.
    const loading = this.spendSince(budget.scope, new Date(start).toISOString()).then(
      (spent) => {
        const account = { spent, held: 0 };
        this.accounts.set(key, account);
        return account;
      },
      (err: unknown) => {
        this.accounts.delete(key);
        throw err;
      },
    );
    this.accounts.set(key, loading);
    this.forgetPastWindows(budget.scope, start);
    return loading;
  }

  private forgetPastWindows(scope: string, currentStart: number): void {
    for (const key of this.accounts.keys()) {
      const at = key.lastIndexOf('@');
      if (key.slice(0, at) === scope && Number(key.slice(at + 1)) < currentStart) this.accounts.delete(key);
    }
  }
}
