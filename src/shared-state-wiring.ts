/**
 * The composition root's part for several instances: Redis's calls timed into the metrics, its failure
 * and return logged once each, and what one instance changes told to the others, both ways.
 */
import type { FastifyBaseLogger } from 'fastify';
import { MemoryBudgetLedger } from './accounts/budget-ledger.js';
import type { BudgetLedger, SpendSince } from './accounts/budgets.js';
import type { GatewayKeyService } from './accounts/gateway-keys.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import type { HealthTracker } from './routing/health.js';
import type { SharedChanges } from './shared-state/shared-changes.js';
import { SharedState, type SharedStateConfig } from './shared-state/shared-state.js';

/** Redis shared by the instances: its calls timed into the metrics, its failure and return logged once each. */
export function sharedState(config: SharedStateConfig, { now, metrics, log }: { now: () => number; metrics: () => GatewayMetrics; log: () => FastifyBaseLogger }): SharedState {
  return new SharedState(config, {
    now,
    observe: (op, seconds, ok) => metrics().observeSharedState(op, seconds, ok),
    onChange: (degraded, err) => {
      if (degraded) log().warn({ err: (err as Error | undefined)?.message }, 'Redis is unreachable: limits are counted per instance until it returns');
      else log().info('Redis is reachable again: limits are shared across instances');
    },
  });
}

/** What one instance changes that the others must know at once, both ways. */
export function shareChanges(changes: SharedChanges, local: { forgetAccount: (userId: string) => void; gatewayKeys: GatewayKeyService; health: HealthTracker }): void {
  local.health.listener = {
    cooled: (provider, model, until, reason) => changes.publish({ kind: 'cooled', provider, model, until: Math.round(until), reason }),
    freeTierSpent: (until) => changes.publish({ kind: 'free-tier-spent', until: Math.round(until) }),
  };
  changes.listen((change) => {
    if (change.kind === 'account') local.forgetAccount(change.userId);
    else if (change.kind === 'key-revoked') local.gatewayKeys.revokedElsewhere(change.keyHash);
    else if (change.kind === 'key-changed') local.gatewayKeys.forget(change.keyHash);
    else if (change.kind === 'cooled') local.health.cooledElsewhere(change.provider, change.model, change.until, change.reason);
    else local.health.freeTierSpentElsewhere(change.until);
  });
}

/** Budgets' spend: in Redis when the instances share one (this process's count standing in while it is away), else here. */
export function budgetLedgerFor(shared: SharedState | undefined, spendSince: SpendSince, now: () => number): BudgetLedger {
  const local = new MemoryBudgetLedger(spendSince, now);
  return shared ? shared.budgetLedger(local, spendSince) : local;
}
