/** GET/PUT /api/config: the caller's own settings (`user_config`). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CallerContexts } from '../../gateway/caller-context.js';
import type { Caller } from '../../gateway/caller.js';
import type { TokenBudget } from '../../accounts/daily-usage.js';
import { BUDGET_PERIODS, budgetResetsAt, spentUsd, type BudgetLedger } from '../../accounts/budgets.js';
import { invalidRequest } from '../../core/errors.js';
import { resolveTarget } from '../../routing/cascade.js';
import { ROUTE_POLICIES } from '../../routing/route-policy.js';
import type { ModelCatalog } from '../../routing/model-catalog.js';
import type { UserConfigRepository, UserConfigRow } from '../../store/user-config-repository.js';
import { validate } from '../validate.js';

export const putBody = z
  .object({
    default_model: z.string().min(1).max(200).nullable(),
    daily_token_limit: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable(),
    memory_messages: z.number().int().min(0).max(1000).nullable(),
    route_policy: z.enum(ROUTE_POLICIES),
    /** US dollars per `budget_period` (null: none), at most the operator's USER_MAX_BUDGET_USD. */
    max_budget_usd: z.number().min(0).max(1_000_000).nullable(),
    /** null with a budget: a lifetime budget. */
    budget_period: z.enum(BUDGET_PERIODS).nullable(),
  })
  .partial()
  .strict();

export interface UserConfigRouteDeps {
  configs: UserConfigRepository;
  contexts: CallerContexts;
  usage: TokenBudget;
  catalog: ModelCatalog;
  defaultMemoryMessages: number;
  now: () => number;
  /** The user's settings changed: forgotten here, and told to the other instances (default: here only). */
  changed?: (userId: string) => void;
  /** Where the budgets' spend is kept, for what this period has spent. */
  budgets?: BudgetLedger;
  /** The operator's ceiling on a user's own budget. */
  maxBudgetUsd?: number | undefined;
}

export function userConfigRoutes(app: FastifyInstance, deps: UserConfigRouteDeps): void {
  const view = async (caller: Caller, row: UserConfigRow | undefined) => ({
    default_model: row?.default_model ?? null,
    daily_token_limit: row?.daily_token_limit ?? null,
    // The limit that applies: the user's own, capped by the operator's (for them, or for everyone).
    effective_daily_token_limit: (await deps.contexts.resolve(caller)).dailyTokenLimit,
    memory_messages: row?.memory_messages ?? null,
    effective_memory_messages: row?.memory_messages ?? deps.defaultMemoryMessages,
    default_memory_messages: deps.defaultMemoryMessages,
    route_policy: row?.route_policy ?? 'cascade',
    tokens_used_today: await deps.usage.tokensToday(caller.userId),
    ...(await budgetView(caller)),
    updated_at: row?.updated_at ?? null,
  });

  /** Every budget on the user (their own, the operator's ceiling): its amount, period, spend and reset. */
  const budgetView = async (caller: Caller) => {
    const ctx = await deps.contexts.resolve(caller);
    const own = ctx.budgets.find((b) => b.scope.startsWith('user:'));
    const now = deps.now();
    const budgets = await Promise.all(
      ctx.budgets.map(async (b) => ({
        kind: b.scope.startsWith('user:') ? 'own' : 'operator',
        max_budget_usd: b.limitUsd,
        budget_period: b.period,
        spend_usd: deps.budgets ? await spentUsd(deps.budgets, b) : null,
        resets_at: budgetResetsAt(b.period, now),
      })),
    );
    return { max_budget_usd: own?.limitUsd ?? null, budget_period: own?.period ?? null, spend_usd: budgets.find((b) => b.kind === 'own')?.spend_usd ?? null, budgets };
  };

  app.get('/api/config', async (request) => view(request.caller, await deps.configs.get(request.caller.userId)));

  app.put('/api/config', async (request) => {
    const body = validate(putBody, request.body);
    if (body.default_model != null && body.default_model !== 'auto' && !resolveTarget(body.default_model, deps.catalog)) {
      throw invalidRequest(`Invalid value for 'default_model': no provider serves '${body.default_model}' (GET /v1/models lists them)`, 'default_model', 'model_not_found');
    }
    const userId = request.caller.userId;
    const current = await deps.configs.get(userId);
    const row: UserConfigRow = {
      user_id: userId,
      default_model: body.default_model !== undefined ? body.default_model : (current?.default_model ?? null),
      daily_token_limit: body.daily_token_limit !== undefined ? body.daily_token_limit : (current?.daily_token_limit ?? null),
      memory_messages: body.memory_messages !== undefined ? body.memory_messages : (current?.memory_messages ?? null),
      route_policy: body.route_policy ?? current?.route_policy ?? 'cascade',
      updated_at: new Date(deps.now()).toISOString(),
      max_budget_usd: body.max_budget_usd !== undefined ? body.max_budget_usd : (current?.max_budget_usd ?? null),
      budget_period: body.budget_period !== undefined ? body.budget_period : (current?.budget_period ?? null),
    };
    if (row.max_budget_usd === null) row.budget_period = null;
    if (row.max_budget_usd !== null && deps.maxBudgetUsd !== undefined && row.max_budget_usd > deps.maxBudgetUsd && !request.caller.isAdmin) {
      throw invalidRequest(`Invalid value for 'max_budget_usd': at most ${deps.maxBudgetUsd} on this gateway (the operator's ceiling)`, 'max_budget_usd');
    }
    await deps.configs.put(row);
    if (deps.changed) deps.changed(userId);
    else deps.contexts.invalidate(userId);
    return view(request.caller, row);
  });
}
