/**
 * Every provider, every way it can fail: a request naming that provider's model is answered by the
 * next target of its plan, the attempt records what happened, and a stream cut short never ends
 * with [DONE]. Each case gets a fresh gateway, so one fault's cool-down or circuit does not steer the next.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Behavior, EmulatedProvider } from '../../src/emulator/script.js';
import { caller, chatBody } from '../helpers/api.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';

const MODELS: Record<EmulatedProvider, string> = {
  openrouter: 'meta-llama/llama-3.3-70b-instruct:free',
  gemini: 'gemini-2.5-flash',
  anthropic: 'claude-sonnet-4-5',
  openai: 'gpt-4o-mini',
};

const FAST = { UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '400', UPSTREAM_RESPONSE_TIMEOUT_MS: '400', UPSTREAM_TOTAL_TIMEOUT_MS: '20000' };

interface AttemptView {
  provider: string;
  status: string;
  http_status?: number;
  error?: string;
}

const FAULTS: Array<[string, Behavior, (a: AttemptView) => boolean]> = [
  ['429 with Retry-After', { type: 'error', status: 429, retryAfterSeconds: 30 }, (a) => a.http_status === 429],
  ['429 without Retry-After', { type: 'error', status: 429 }, (a) => a.http_status === 429],
  ['402', { type: 'error', status: 402, message: 'insufficient credits' }, (a) => a.http_status === 402],
  ['500', { type: 'error', status: 500 }, (a) => a.http_status === 500],
  ['529', { type: 'error', status: 529 }, (a) => a.http_status === 529],
  ['a connection reset before the first byte', { type: 'reset' }, (a) => a.error?.startsWith('connection') === true],
  ['a first byte that never comes', { type: 'stall' }, (a) => a.error?.startsWith('timeout') === true],
  ['an HTML error page from a proxy', { type: 'html', status: 502 }, (a) => a.http_status === 502],
  ['an HTML page with a 200', { type: 'html', status: 200 }, (a) => a.error?.startsWith('protocol') === true],
];

async function withStack<T>(work: (s: Stack) => Promise<T>): Promise<T> {
  const s = await startStack(FAST);
  try {
    return await work(s);
  } finally {
    await s.close();
  }
}

for (const provider of Object.keys(MODELS) as EmulatedProvider[]) {
  describe(`${provider} failing`, () => {
    for (const [name, behavior, recorded] of FAULTS) {
      it(`${name}: the next target answers, and the attempt says what happened`, async () => {
        await withStack(async (s) => {
          s.emulator.script.add(provider, [{ behavior, sticky: true }]);
          const started = Date.now();
          const res = await caller(() => s)('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('hi', { model: MODELS[provider] }));
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.notEqual(res.body.metadata.provider === provider && res.body.metadata.model_used === MODELS[provider], true, 'another target answered');
          const first = res.body.metadata.attempts[0] as AttemptView;
          assert.equal(first.provider, provider);
          assert.equal(first.status, 'error');
          assert.ok(recorded(first), JSON.stringify(first));
          assert.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms`);
          // Health records it as the README says: a 429 cools the target, anything else is its last error.
          const health = await caller(() => s)('GET', '/api/health/providers', TEST_TOKEN);
          const target = (health.body.targets as Array<{ provider: string; model: string; available: boolean; reason?: string; last_error: string | null }>).find(
            (t) => t.provider === provider && t.model === MODELS[provider],
          );
          assert.ok(target, 'the target is tracked');
          if (first.http_status === 429) {
            assert.equal(target.available, false);
            assert.match(target.reason ?? '', /rate limited/);
          } else {
            assert.equal(target.last_error?.split(':')[0], first.error?.split(':')[0]);
          }
        });
      });
    }

    it('a connection refused: the next target answers', async () => {
      const s = await startStack({ ...FAST, [`${provider.toUpperCase()}_BASE_URL`]: 'http://127.0.0.1:1/v1' });
      try {
        const res = await caller(() => s)('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('hi', { model: MODELS[provider] }));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const first = res.body.metadata.attempts[0] as AttemptView;
        assert.deepEqual([first.provider, first.status], [provider, 'error']);
        assert.match(first.error ?? '', /^connection/);
      } finally {
        await s.close();
      }
    });

    it('a stream cut after its first words ends with an error event, never [DONE]', async () => {
      await withStack(async (s) => {
        s.emulator.script.add(provider, [{ behavior: { type: 'cut', afterChunks: 2 } }]);
        const res = await s.post('/v1/chat/completions', chatBody('hi', { model: MODELS[provider], stream: true }));
        assert.equal(res.status, 200);
        const text = await res.text();
        assert.match(text, /"error"/);
        assert.doesNotMatch(text, /\[DONE\]/);
      });
    });
  });
}

describe('every provider failing', () => {
  const cases: Array<[string, Behavior, number[]]> = [
    ['with 5xx', { type: 'error', status: 500 }, [502]],
    ['with 429', { type: 'error', status: 429 }, [503]],
    ['by never answering', { type: 'stall' }, [502, 504]],
  ];
  for (const [name, behavior, statuses] of cases) {
    it(`${name}: a ${statuses.join('/')} in the OpenAI error shape listing the attempts, within the time limits`, async () => {
      await withStack(async (s) => {
        for (const provider of Object.keys(MODELS) as EmulatedProvider[]) s.emulator.script.add(provider, [{ behavior, sticky: true }]);
        const started = Date.now();
        const res = await caller(() => s)('POST', '/v1/chat/completions', TEST_TOKEN, chatBody('hi'));
        assert.ok(statuses.includes(res.status), `${res.status}: ${JSON.stringify(res.body)}`);
        for (const field of ['message', 'type', 'param', 'code']) assert.ok(field in res.body.error, field);
        assert.ok(res.body.metadata.attempts.length >= 3, 'every attempt is listed');
        assert.match(res.body.error.message, /Attempts: /);
        assert.ok(Date.now() - started < 10_000);
      });
    });
  }
});
