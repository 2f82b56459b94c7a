/** POST/GET /api/keys/gateway and DELETE /api/keys/gateway/:id: the caller's own gateway keys. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BUDGET_PERIODS, budgetResetsAt, spentUsd, type BudgetLedger, type BudgetPeriod } from '../../accounts/budgets.js';
import type { GatewayKeyService, KeyBudgetSetting } from '../../accounts/gateway-keys.js';
import { GatewayError } from '../../core/errors.js';
import type { GatewayKeyRow } from '../../store/gateway-key-repository.js';
import { validate } from '../validate.js';
import { parseScopes, SCOPES } from '../../accounts/scopes.js';

const budgetFields = {
  /** US dollars per period; null removes the budget. */
  max_budget_usd: z.number().min(0).max(1_000_000).nullable().optional(),
  /** Absent or null with a budget: a lifetime budget. */
  budget_period: z.enum(BUDGET_PERIODS).nullable().optional(),
};

export const createBody = z.object({
  name: z.string().trim().min(1).max(100).default('default'),
  rate_limit: z.number().int().min(1).max(100_000).optional(),
  scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length).optional(),
  ...budgetFields,
});

export const updateBody = z
  .object({ name: z.string().trim().min(1).max(100).optional(), rate_limit: z.number().int().min(1).max(100_000).optional(), ...budgetFields })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one of name, rate_limit, max_budget_usd, budget_period');

/** The body's budget, when it says anything of one (a period alone keeps the amount: the route reads it). */
function budgetOf(body: { max_budget_usd?: number | null | undefined; budget_period?: BudgetPeriod | undefined }, current?: GatewayKeyRow): KeyBudgetSetting | undefined {
  if (body.max_budget_usd === undefined && body.budget_period === undefined) return undefined;
  const maxBudgetUsd = body.max_budget_usd !== undefined ? body.max_budget_usd : (current?.max_budget_usd ?? null);
  const period = body.budget_period !== undefined ? body.budget_period : ((current?.budget_period as BudgetPeriod | undefined) ?? null);
  return { maxBudgetUsd, period };
}

const idParam = z.object({ id: z.uuid('must be a key id from GET /api/keys/gateway') });

function view(row: GatewayKeyRow) {
  return {
    id: row.id,
    name: row.name,
    // `prefix` is the backend seed's name, `key_prefix` this gateway's first: both stay.
    prefix: row.key_prefix,
    key_prefix: row.key_prefix,
    rate_limit: row.rate_limit,
    scopes: parseScopes(row.scopes),
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
    is_active: row.revoked_at === null,
    max_budget_usd: row.max_budget_usd,
    budget_period: row.max_budget_usd === null ? null : row.budget_period,
  };
}

/** A key with a budget: what it has spent this period, and when that resets. */
async function withSpend(row: GatewayKeyRow, ledger: BudgetLedger | undefined, now: number) {
  const out = view(row);
  if (row.max_budget_usd === null || !ledger) return out;
  const budget = { scope: `key:${row.id}`, limitUsd: Number(row.max_budget_usd), period: (row.budget_period as BudgetPeriod | null) ?? null };
  return { ...out, spend_usd: await spentUsd(ledger, budget), budget_resets_at: budgetResetsAt(budget.period, now) };
}

export function gatewayKeyRoutes(app: FastifyInstance, keys: GatewayKeyService, ledger?: BudgetLedger, now: () => number = Date.now): void {
  app.post('/api/keys/gateway', async (request, reply) => {
    const body = validate(createBody, request.body ?? {});
    // `admin` sees every tenant: only the operator, with the operator token, may hand it out.
    if (body.scopes?.includes('admin') && !(request.caller.isAdmin && request.caller.via === 'operator_token')) {
      throw new GatewayError({ status: 403, type: 'permission_error', code: 'scope_not_allowed', param: 'scopes', message: "Only the operator may create keys with the 'admin' scope." });
    }
    const issued = await keys.issue(request.caller.userId, body.name, body.rate_limit, body.scopes, budgetOf(body));
    // The only time the whole key is shown.
    return reply.code(201).send({ ...view(issued.row), key: issued.key });
  });

  app.get('/api/keys/gateway', async (request) => ({ keys: await Promise.all((await keys.list(request.caller.userId)).map((row) => withSpend(row, ledger, now()))) }));

  app.patch('/api/keys/gateway/:id', async (request) => {
    const { id } = validate(idParam, request.params);
    const body = validate(updateBody, request.body ?? {});
    const current = (await keys.list(request.caller.userId)).find((k) => k.id === id && k.revoked_at === null);
    if (!current) throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'key_not_found', param: 'id', message: `No active gateway key '${id}' belongs to you.` });
    const budget = budgetOf(body, current);
    const row = await keys.update(request.caller.userId, id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.rate_limit !== undefined ? { rateLimit: body.rate_limit } : {}),
      ...(budget ? { budget } : {}),
    });
    if (!row) throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'key_not_found', param: 'id', message: `No active gateway key '${id}' belongs to you.` });
    return view(row);
  });

  app.delete('/api/keys/gateway/:id', async (request) => {
    const { id } = validate(idParam, request.params);
    const row = await keys.revoke(request.caller.userId, id);
    if (!row) throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'key_not_found', param: 'id', message: `No active gateway key '${id}' belongs to you.` });
    return view(row);
  });
}
