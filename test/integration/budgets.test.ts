/**
 * US-dollar budgets on gateway keys and users: a request holds its worst-case cost before any upstream
 * call and settles the real cost after; over budget is a 429 `budget_exceeded` with the budget, the
 * spend and when it resets; the key list and /api/config show the spend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caller, signup } from '../helpers/api.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

type Loose = any;

describe('US-dollar budgets', () => {
  let s: Stack;
  const call = caller(() => s);
  before(async () => {
    s = await startStack({ USER_MAX_BUDGET_USD: '5', USER_MAX_BUDGET_PERIOD: 'monthly', USERS_MAY_USE_OPERATOR_KEYS: 'true' });
  });
  after(() => s.close());

  const ask = (token: string, max_tokens = 40) =>
    fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens, messages: [{ role: 'user', content: 'What does a budget do?' }] }),
    });

  it('a key spends up to its budget, then gets 429 budget_exceeded saying how much and until when; raising it lets requests through', async () => {
    const { token } = await signup(call, 'budget-key@example.com');
    const created = await call('POST', '/api/keys/gateway', token, { name: 'capped', max_budget_usd: 0.0002, budget_period: 'daily' });
    assert.equal(created.status, 201);
    assert.deepEqual([created.body.max_budget_usd, created.body.budget_period], [0.0002, 'daily']);
    const key = created.body.key as string;
    let ok = 0;
    let refused: Response | undefined;
    for (let i = 0; i < 40 && !refused; i++) {
      const res = await ask(key);
      if (res.status === 200) {
        ok++;
        await res.arrayBuffer();
      } else refused = res;
    }
    assert.ok(ok >= 2, `${ok} requests fit in the budget`);
    assert.equal(refused?.status, 429);
    const error = ((await refused!.json()) as Loose).error;
    assert.equal(error.code, 'budget_exceeded');
    assert.equal(error.budget_usd, 0.0002);
    assert.equal(error.budget_period, 'daily');
    // Refused once what is spent leaves less than the request's worst case: its tokens at the plan's dearest target.
    assert.ok(error.spend_usd <= 0.0002 && error.spend_usd > 0.00005, `spend ${error.spend_usd}`);
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    assert.equal(error.resets_at, tomorrow.toISOString());
    assert.match(error.message, /This gateway key's daily budget of \$0\.0002 is spent/);
    assert.ok(Number(refused!.headers.get('retry-after')) > 0);

    await s.gateway.logs.flush();
    const listed = (await call('GET', '/api/keys/gateway', token)).body.keys.find((k: Loose) => k.id === created.body.id);
    const logs = (await call('GET', `/api/logs?key_id=${created.body.id}`, token)).body.data as Loose[];
    const logged = logs.reduce((sum, r) => sum + r.cost_usd, 0);
    assert.ok(Math.abs(listed.spend_usd - logged) < 1e-6, `${listed.spend_usd} spent, ${logged} in the logs`);
    assert.ok(listed.spend_usd <= 0.0002, 'never over its budget');

    const metrics = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text();
    const line = metrics.split('\n').find((l) => l.startsWith(`cerebro_budget_spend_usd{kind="key",id="${created.body.id}"}`));
    assert.ok(line && Math.abs(Number(line.split(' ')[1]) - logged) < 1e-9, `the key's spend in /metrics: ${line}`);

    const raised = await call('PATCH', `/api/keys/gateway/${created.body.id}`, token, { max_budget_usd: 1 });
    assert.equal(raised.status, 200);
    assert.deepEqual([raised.body.max_budget_usd, raised.body.budget_period], [1, 'daily'], 'the period is kept');
    assert.equal((await ask(key)).status, 200);
  });

  it('a request whose worst case exceeds what is left is refused before any provider is called', async () => {
    const { token } = await signup(call, 'budget-worst@example.com');
    const key = (await call('POST', '/api/keys/gateway', token, { max_budget_usd: 0.001 })).body.key as string;
    s.emulator.reset();
    // 16,384 output tokens at gpt-4o-mini's $0.60 per million could cost ~$0.0098: more than the budget.
    const res = await ask(key, 16_384);
    assert.equal(res.status, 429);
    assert.equal(((await res.json()) as Loose).error.code, 'budget_exceeded');
    assert.equal(s.emulator.requests.length, 0);
  });

  it("a user's own budget in /api/config, capped by the operator's ceiling, with its spend", async () => {
    const { token } = await signup(call, 'budget-user@example.com');
    const tooMuch = await call('PUT', '/api/config', token, { max_budget_usd: 50 });
    assert.equal(tooMuch.status, 400);
    assert.equal(tooMuch.body.error.param, 'max_budget_usd');
    const set = await call('PUT', '/api/config', token, { max_budget_usd: 0.0002, budget_period: 'weekly' });
    assert.equal(set.status, 200);
    assert.deepEqual([set.body.max_budget_usd, set.body.budget_period], [0.0002, 'weekly']);
    const kinds = (set.body.budgets as Loose[]).map((b) => `${b.kind}:${b.max_budget_usd}:${b.budget_period}`);
    assert.deepEqual(kinds, ['own:0.0002:weekly', 'operator:5:monthly']);
    let status = 200;
    for (let i = 0; i < 40 && status === 200; i++) status = (await ask(token)).status;
    assert.equal(status, 429);
    const config = (await call('GET', '/api/config', token)).body;
    assert.ok(config.spend_usd > 0 && config.spend_usd <= 0.0002, `spend ${config.spend_usd}`);
    const monday = new Date(config.budgets[0].resets_at);
    assert.equal(monday.getUTCDay(), 1, 'a weekly budget resets on Monday');
    assert.equal(config.budgets[1].spend_usd, config.spend_usd, "the operator's ceiling counts the same spend");
  });
});
