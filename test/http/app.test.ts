/** The app's error handler, with the chat service faked: which failures it logs itself. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountService } from '../../src/accounts/accounts.js';
import type { AccountStates } from '../../src/accounts/account-states.js';
import type { UserAdmin } from '../../src/accounts/user-admin.js';
import type { GatewayKeyService } from '../../src/accounts/gateway-keys.js';
import type { ProviderKeyService } from '../../src/accounts/provider-keys.js';
import { FixedWindowRateLimiter } from '../../src/accounts/rate-limiter.js';
import { DEFAULT_LOGIN_THROTTLE, MemoryLoginThrottle } from '../../src/accounts/login-throttle.js';
import type { ChatService } from '../../src/gateway/chat-service.js';
import type { UserConfigRouteDeps } from '../../src/http/routes/user-config.js';
import type { AnalyticsRepository } from '../../src/store/analytics-repository.js';
import { HealthTracker } from '../../src/routing/health.js';
import { buildApp, type AppDeps } from '../../src/http/app.js';
import { ModelCatalog } from '../../src/routing/model-catalog.js';
import { sha256 } from '../../src/security/operator-token.js';
import type { SessionRepository } from '../../src/store/session-repository.js';

const TOKEN = 'app-test-token-0123456789';

function appWith(complete: () => Promise<never>) {
  const rejected: unknown[] = [];
  const chat = { complete, recordRejected: (_req: unknown, err: unknown) => rejected.push(err) } as unknown as ChatService;
  const app = buildApp({
    chat,
    catalog: new ModelCatalog([], { free: [], fallback: [], priority: [] }),
    sessions: {} as SessionRepository,
    isConfigured: () => false,
    pingDatabase: async () => undefined,
    auth: {
      operatorTokenHash: sha256(TOKEN),
      gatewayKeys: {} as GatewayKeyService,
      rateLimiter: new FixedWindowRateLimiter(),
      secretKey: 'x'.repeat(32),
      accountRateLimit: 100,
      userRateLimit: 600,
      accountStates: {} as AccountStates,
      now: Date.now,
    },
    accounts: {} as AccountService,
    userAdmin: {} as UserAdmin,
    authRateLimit: 30,
    loginThrottle: new MemoryLoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, now: Date.now }),
    trustProxy: false,
    gatewayKeys: {} as GatewayKeyService,
    providerKeys: {} as ProviderKeyService,
    userConfig: {} as UserConfigRouteDeps,
    analytics: {} as AnalyticsRepository,
    logs: {} as AppDeps['logs'],
    responses: {} as AppDeps['responses'],
    health: new HealthTracker(Date.now),
    now: Date.now,
    bodyLimitBytes: 1024,
    apiBodyLimitBytes: 1024,
    server: { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 },
    totalTimeoutMs: 1000,
  });
  return { app, rejected };
}

const post = (payload: string) => ({ method: 'POST' as const, url: '/v1/chat/completions', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload });

describe('the error handler', () => {
  it('logs a chat request Fastify refused before the route (malformed JSON) once', async () => {
    const { app, rejected } = appWith(async () => assert.fail('not reached'));
    const res = await app.inject(post('{"messages": ['));
    assert.equal(res.statusCode, 400);
    assert.equal(rejected.length, 1);
  });

  it('does not log again an internal error the pipeline already logged, and answers 500 in the OpenAI shape', async () => {
    const { app, rejected } = appWith(async () => {
      throw new Error('a bug');
    });
    const res = await app.inject(post(JSON.stringify({ messages: [{ role: 'user', content: 'q' }] })));
    assert.equal(res.statusCode, 500);
    assert.equal(res.json().error.code, 'internal_error');
    assert.equal(rejected.length, 0);
  });
});
