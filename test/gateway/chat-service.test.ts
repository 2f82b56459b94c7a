/** The pipeline alone, with fakes for the executor, the store and the log writer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestBudgets } from '../../src/gateway/request-holds.js';
import type { CallerContexts } from '../../src/gateway/caller-context.js';
import { OPERATOR } from '../../src/gateway/caller.js';
import type { ChatInput } from '../../src/gateway/chat-input.js';
import { ChatService } from '../../src/gateway/chat-service.js';
import { GatewayError } from '../../src/core/errors.js';
import { HEALTHY } from '../../src/routing/scoring.js';
import type { Executor } from '../../src/gateway/executor.js';
import { defineModel, ModelCatalog } from '../../src/routing/model-catalog.js';
import type { RequestLogRow, RequestLogWriter } from '../../src/store/request-log-writer.js';
import type { SessionRepository } from '../../src/store/session-repository.js';

const catalog = new ModelCatalog([defineModel({ id: 'gpt-4o-mini', provider: 'openai', aliases: [], input_per_mtok: 1, output_per_mtok: 2, context_window: 1, max_output: 1, free: false })], {
  free: [],
  fallback: [],
  priority: [],
});

const input = (over: Partial<ChatInput> = {}): ChatInput => ({
  requestId: 'chatcmpl-1',
  caller: OPERATOR,
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'q' }],
  params: {},
  stream: false,
  sessionId: 's1',
  priority: 'normal',
  warnings: [],
  ...over,
});

function service(sessions: Partial<SessionRepository>) {
  const rows: RequestLogRow[] = [];
  const settled: number[] = [];
  const storeErrors: unknown[] = [];
  const executor = {
    complete: async () => ({
      target: { provider: 'openai', model: 'gpt-4o-mini' },
      result: { model: 'gpt-4o-mini', text: 'answer', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } },
      attempts: [{ provider: 'openai', model: 'gpt-4o-mini', status: 'ok', latency_ms: 1 }],
      warnings: [],
    }),
  } as unknown as Executor;
  const chat = new ChatService({
    executor,
    catalog,
    sessions: { recent: async () => [], append: async () => undefined, ...sessions } as unknown as SessionRepository,
    logs: { recordAfterThisTick: (make: () => { row: RequestLogRow }) => rows.push(make().row) } as unknown as RequestLogWriter,
    contexts: {
      resolve: async () => ({
        memoryMessages: 20,
        defaultModel: undefined,
        routePolicy: 'cascade',
        dailyTokenLimit: null,
        credentials: {},
        sharedProviders: new Set(),
        unreadable: {},
        hasUnreadable: false,
      }),
    } as unknown as CallerContexts,
    budgets: {
      take: async () => ({ holds: { tokens: { held: 100, settle: (used: number) => settled.push(used) }, storage: { settle: () => undefined }, budget: { settle: () => undefined } }, warnings: [] }),
    } as unknown as RequestBudgets,
    onStoreError: (err) => storeErrors.push(err),
    health: () => HEALTHY,
    now: () => 1_700_000_000_000,
  });
  return { chat, rows, settled, storeErrors };
}

describe('ChatService', () => {
  it('does not return an answer it could not store, and logs the 503 the caller gets', async () => {
    const { chat, rows, settled, storeErrors } = service({
      append: async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.7:5432');
      },
    });
    const request = input();
    await assert.rejects(
      chat.complete(request, new AbortController().signal),
      (err: unknown) => err instanceof GatewayError && err.status === 503 && err.code === 'memory_store_failed' && err.message.includes(request.requestId) && !err.message.includes('10.0.0.7'),
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.http_status, 503);
    assert.doesNotMatch(rows[0]!.error ?? '', /10\.0\.0\.7/, 'the database address stays in the server log');
    assert.match(String(storeErrors[0]), /ECONNREFUSED/);
    assert.equal(rows[0]!.total_tokens, 0, 'an answer the caller never got is not theirs to pay');
    assert.deepEqual(settled, [0], 'the reservation is released');
  });

  it('prices the answer from the catalog and logs tokens and cost', async () => {
    const { chat, rows, settled } = service({});
    const outcome = await chat.complete(input(), new AbortController().signal);
    assert.equal(outcome.metadata.cost_usd, 3 / 1_000_000);
    assert.equal(rows[0]!.status, 'success');
    assert.equal(rows[0]!.total_tokens, 2);
    assert.deepEqual(settled, [2], 'the reservation is settled with the real usage');
    assert.equal(rows[0]!.created_at, '2023-11-14T22:13:20.000Z');
  });
});
