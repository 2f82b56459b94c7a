/** What a request reserves of its user's budgets, and the max_tokens a daily limit sends each target. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallerContext, CallerContexts } from '../../src/gateway/caller-context.js';
import type { ChatInput } from '../../src/gateway/chat-input.js';
import { RequestBudgets } from '../../src/gateway/request-holds.js';
import { defineModel, ModelCatalog } from '../../src/routing/model-catalog.js';

const model = (id: string, maxOutput: number, context = 128_000) =>
  defineModel({ id, provider: 'openai', aliases: [], input_per_mtok: 1, output_per_mtok: 1, context_window: context, max_output: maxOutput, free: false });
const catalog = new ModelCatalog([model('small', 8_192), model('large', 64_000), model('tight', 16_384, 10_000)], { free: [], fallback: [], priority: [] });
const user = { userId: 'u', isAdmin: false, via: 'jwt' } as const;
const input = (maxTokens?: number): ChatInput => ({
  requestId: 'r',
  caller: user,
  model: 'auto',
  messages: [{ role: 'user', content: 'q' }],
  params: maxTokens === undefined ? {} : { maxTokens },
  stream: false,
  sessionId: undefined,
  priority: 'normal',
  warnings: [],
});
const t = (m: string) => ({ provider: 'openai' as const, model: m });

function budgets(remaining: number) {
  const wanted: number[] = [];
  const contexts = {
    reserveTokens: async (_c: unknown, _ctx: unknown, want: number) => {
      wanted.push(want);
      return { held: Math.min(want, remaining), settle: () => undefined };
    },
  } as unknown as CallerContexts;
  return { budgets: new RequestBudgets(contexts, undefined, catalog), wanted };
}
const limited = { dailyTokenLimit: 1_000_000 } as CallerContext;
const unlimited = { dailyTokenLimit: null } as CallerContext;

describe('RequestBudgets', () => {
  it("reserves the plan's largest output (at most 16,384) and sends each target what it can write", async () => {
    const { budgets: b, wanted } = budgets(Infinity);
    const held = await b.take(input(), limited, 1_000, [t('small'), t('large'), t('unknown-model'), t('tight')]);
    assert.deepEqual(wanted, [1_000 + 16_384]);
    assert.deepEqual(
      [t('small'), t('large'), t('unknown-model'), t('tight')].map((x) => held.outputLimit!(x)),
      [8_192, 16_384, 4_096, 10_000 - 1_000 - 256],
    );
    assert.deepEqual(held.warnings, []);
  });

  it('caps every target at what the limit leaves, and says so', async () => {
    const { budgets: b } = budgets(1_500);
    const held = await b.take(input(), limited, 1_000, [t('small'), t('large')]);
    assert.deepEqual([held.outputLimit!(t('small')), held.outputLimit!(t('large'))], [500, 500]);
    assert.match(held.warnings[0] ?? '', /max_tokens set to at most 500/);
  });

  it("leaves the caller's max_tokens, and users without a limit, alone", async () => {
    const { budgets: b, wanted } = budgets(Infinity);
    assert.equal((await b.take(input(300), limited, 10, [t('small')])).outputLimit, undefined);
    assert.equal((await b.take(input(), unlimited, 10, [t('small')])).outputLimit, undefined);
    assert.deepEqual(wanted, [310, 10 + 8_192]);
  });
});
