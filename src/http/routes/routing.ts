/**
 * POST /v1/route: the routing decision for a chat request (classification, policy, the ordered
 * targets with their scores, and what was left out and why), calling no provider.
 * GET /api/health/providers: provider health as the router sees it.
 * GET /api/models: the model registry with prices, limits, quality and capabilities.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ChatService } from '../../gateway/chat-service.js';
import type { HealthTracker } from '../../routing/health.js';
import type { ModelCatalog } from '../../routing/model-catalog.js';
import type { ResponseCache } from '../../cache/response-cache.js';
import { GatewayError } from '../../core/errors.js';
import { chatRequestContext, parseChatRequest } from '../chat-request.js';

export interface RoutingRouteDeps {
  chat: ChatService;
  health: HealthTracker;
  catalog: ModelCatalog;
  cache: ResponseCache | undefined;
}

export function routingRoutes(app: FastifyInstance, deps: RoutingRouteDeps): void {
  app.post('/v1/route', async (request) => {
    const input = parseChatRequest(request.body, chatRequestContext(request.headers, `route-${randomUUID()}`, request.caller));
    const decision = await deps.chat.route(input);
    const scores = new Map(decision.scored?.targets.map((t) => [`${t.provider}/${t.model}`, t]));
    return {
      object: 'route.plan',
      policy: decision.policy,
      classification: decision.classification,
      targets: decision.targets.map((t) => {
        const scored = scores.get(`${t.provider}/${t.model}`);
        return {
          provider: t.provider,
          model: t.model,
          score: scored?.score ?? null,
          quality: scored?.quality ?? deps.catalog.get(t.model)?.quality ?? null,
          estimated_cost_usd: scored?.estimated_cost_usd ?? null,
          expected_latency_ms: scored?.expected_latency_ms ?? null,
          available: deps.health.view(t.provider, t.model).available,
        };
      }),
      excluded: decision.scored?.excluded ?? [],
      quality_floor_relaxed: decision.scored?.floorRelaxed ?? false,
      // The target put first because it holds this conversation's prompt cache (null when none was).
      prompt_cache_holder: decision.cacheHolder ?? null,
    };
  });

  // The operator's view: it names the models everyone asked for and the upstreams' error texts.
  app.get('/api/health/providers', async (request) => {
    if (!request.caller.isAdmin) throw new GatewayError({ status: 403, type: 'permission_error', code: 'forbidden', message: 'Only the operator can see provider health.' });
    return { targets: deps.health.report(), openrouter_free_tier: deps.health.freeTier() };
  });

  // Hit and miss counters of the answer cache (all users together: the operator's view).
  app.get('/api/cache', async (request) => {
    if (!request.caller.isAdmin) throw new GatewayError({ status: 403, type: 'permission_error', code: 'forbidden', message: 'Only the operator can see the cache counters.' });
    return deps.cache ? { enabled: true, ...deps.cache.stats() } : { enabled: false };
  });

  app.get('/api/models', async () => ({
    models: deps.catalog.models.map((m) => ({ ...m, health: deps.health.view(m.provider, m.id) })),
    cascade: deps.catalog.cascade,
  }));
}
