/**
 * The HTTP application, built from its dependencies without listening, so tests drive it with
 * inject() or a real port alike. main.ts is the only place that reads the environment.
 */
import type { BudgetLedger } from '../accounts/budgets.js';
import type { SharedStateHealth } from '../shared-state/shared-state.js';
import { uuidv7 } from '../gateway/time-ordered-id.js';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { ChatService } from '../gateway/chat-service.js';
import { GatewayError } from '../core/errors.js';
import { randomUUID } from 'node:crypto';
import type { ProviderId } from '../providers/types.js';
import type { ModelCatalog } from '../routing/model-catalog.js';
import type { SessionRepository } from '../store/session-repository.js';
import type { StorageQuota } from '../gateway/storage-quota.js';
import type { AccountService } from '../accounts/accounts.js';
import type { LoginThrottle } from '../accounts/login-throttle.js';
import type { UserAdmin } from '../accounts/user-admin.js';
import { adminUserRoutes } from './routes/admin-users.js';
import type { GatewayKeyService } from '../accounts/gateway-keys.js';
import type { ProviderKeyService } from '../accounts/provider-keys.js';
import type { AnalyticsRepository } from '../store/analytics-repository.js';
import type { RequestLogQuery } from '../store/request-log-query.js';
import { logsRoutes } from './routes/logs.js';
import { responsesRoutes } from './routes/responses.js';
import type { ResponseRepository } from '../store/response-repository.js';
import { OPERATOR } from '../gateway/caller.js';
import { authenticate, type AuthOptions } from './auth.js';
import { accountRoutes, publicAccountRoutes } from './routes/account.js';
import { analyticsRoutes } from './routes/analytics.js';
import { routingRoutes } from './routes/routing.js';
import type { HealthTracker } from '../routing/health.js';
import type { ResponseCache } from '../cache/response-cache.js';
import { gatewayKeyRoutes } from './routes/gateway-keys.js';
import { providerKeyRoutes } from './routes/provider-keys.js';
import { userConfigRoutes, type UserConfigRouteDeps } from './routes/user-config.js';
import { InFlightRequests } from './in-flight.js';
import { errorHandler } from './error-handler.js';
import { useJsonBodyParser } from './json-body.js';
import { anthropicError } from './anthropic-format.js';
import { messagesRoute } from './routes/messages.js';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import { consoleSessionRoutes } from './routes/console-session.js';
import { consolePages } from './console-pages.js';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { VERSION } from '../package-root.js';
import { openApiDocument } from './openapi.js';
import { embeddingsRoute } from './routes/embeddings.js';
import { metricsRoute } from './routes/metrics.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { EmbeddingService } from '../gateway/embedding-service.js';
import { chatCompletionsRoute } from './routes/chat-completions.js';
import { healthRoute, type WriteHealth } from './routes/health.js';
import { modelsRoute } from './routes/models.js';
import { sessionsRoutes } from './routes/sessions.js';

const ROUTES = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** The routes an app built here registered (plugins' included), once it is ready. */
export function registeredRoutes(app: FastifyInstance): ReadonlyArray<{ method: string; url: string }> {
  return ROUTES.get(app) ?? [];
}

const unknownRoute = (method: string, url: string) => ({
  error: { message: `Unknown route: ${method} ${url.split('?')[0]}`, type: 'invalid_request_error', param: null, code: 'unknown_route' },
});

/** Request ids taken from callers: visible ASCII, bounded (they go into logs and headers). */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

export interface AppDeps {
  chat: ChatService;
  /** Prometheus metrics, served at GET /metrics to the operator; absent = not served. */
  metrics?: GatewayMetrics;
  /** SHA-256 of METRICS_TOKEN, a credential for /metrics alone. */
  metricsTokenHash?: Buffer | undefined;
  /** POST /v1/embeddings; absent = not served. */
  embeddings?: EmbeddingService;
  catalog: ModelCatalog;
  sessions: SessionRepository;
  /** Told when sessions are deleted, so freed space counts at once. */
  storage?: Pick<StorageQuota, 'forget'>;
  isConfigured: (provider: ProviderId) => boolean;
  pingDatabase: () => Promise<void>;
  /** Whether the database takes writes (a reachable database may not: a read-only or full disk). */
  writeHealth?: WriteHealth;
  /** Redis's state, when instances share it. */
  sharedStateHealth?: (() => Promise<SharedStateHealth>) | undefined;
  auth: AuthOptions;
  accounts: AccountService;
  /** The operator's account management (/api/admin/users). */
  userAdmin: UserAdmin;
  /** Sign-up and log-in attempts per minute per client address. */
  authRateLimit: number;
  /** Failed log-ins per (e-mail, address), with a growing back-off. */
  loginThrottle: LoginThrottle;
  /** Which proxies' X-Forwarded-For to believe for the client's address (Fastify's `trustProxy`). */
  trustProxy: boolean | number | string[];
  /** Browser origins allowed to call /v1 and /api (CORS_ORIGINS); empty or absent: no CORS. */
  corsOrigins?: string[];
  gatewayKeys: GatewayKeyService;
  providerKeys: ProviderKeyService;
  userConfig: UserConfigRouteDeps;
  /** Where US-dollar budgets' spend is kept (the key list shows each key's). */
  budgetLedger?: BudgetLedger | undefined;
  analytics: AnalyticsRepository;
  /** The log explorer's reads (/api/logs). */
  logs: RequestLogQuery;
  /** Stored Responses (/v1/responses). */
  responses: ResponseRepository;
  health: HealthTracker;
  cache?: ResponseCache | undefined;
  now: () => number;
  inFlight?: InFlightRequests;
  bodyLimitBytes: number;
  /** The limit on /api/* bodies: small, since sign-in takes bodies before anyone is authenticated. */
  apiBodyLimitBytes: number;
  /** Node's server timeouts: the whole request, its headers, an idle keep-alive connection. */
  server: { requestTimeoutMs: number; headersTimeoutMs: number; keepAliveTimeoutMs: number };
  totalTimeoutMs: number;
  /** The built web console (dist/web), served at `/`; absent or unbuilt: `/` says how to build it. */
  consoleDir?: string | undefined;
  logger?: FastifyServerOptions['logger'];
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    logger: deps.logger ?? false,
    // A caller's (or a proxy's) x-request-id is kept when it is a sane token; otherwise one is made.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Small by default (sign-in, keys, settings, unknown routes); the /v1 routes that take prompts and
    // images raise it (the onRoute hook below), and read their bodies only after authentication.
    bodyLimit: deps.apiBodyLimitBytes,
    // Behind Render's (or any) proxy, request.ip is the client's only when its hops are trusted.
    trustProxy: deps.trustProxy,
    // A client that trickles its headers or body is answered 408 (and its buffers freed) once this passes.
    requestTimeout: deps.server.requestTimeoutMs,
    keepAliveTimeout: deps.server.keepAliveTimeoutMs,
    http: {
      headersTimeout: deps.server.headersTimeoutMs,
      // Node checks the two timeouts above on this interval (30 s by default: too coarse for a 30 s bound).
      connectionsCheckingInterval: Math.min(1_000, deps.server.headersTimeoutMs),
    },
    // Every request is already recorded in request_logs; per-request pino lines would double the work.
    disableRequestLogging: true,
    return503OnClosing: true,
    // Long path parameters must reach our validation (a clear 400), not Fastify's silent 404.
    routerOptions: { maxParamLength: 1024 },
  });

  useJsonBodyParser(app);
  // Only the /v1 routes take large bodies (prompts, images as base64), and they authenticate first; every
  // other route keeps the small default, so a 19 MiB body sent slowly to /api/auth/login is refused (413,
  // from Content-Length when it is sent) before any of it is held in memory.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1/') && route.bodyLimit === undefined) route.bodyLimit = deps.bodyLimitBytes;
  });
  // An unknown route is answered before its body is read: nothing is buffered for a path that serves nothing.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    void reply.code(404).header('x-request-id', request.id).send(unknownRoute(request.method, request.url));
  });

  // Every authenticated route sets it; the default keeps the object shape stable for V8.
  app.decorateRequest('caller', null as unknown as typeof OPERATOR);

  // Which routes exist, for the OpenAPI test to hold the document to.
  const routes: Array<{ method: string; url: string }> = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });

  // Every response names its request id, the key to its log lines (streams set it themselves).
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // One line per request: the access log, with the request id, route, status, time and caller.
  const access = (request: FastifyRequest, status: number, ms: number) => {
    // Read once: Fastify builds a fresh options object on every `routeOptions` access.
    const route = request.routeOptions.url;
    deps.metrics?.observeHttp(request.method, route ?? 'unknown', status, ms / 1000);
    request.log.info({ method: request.method, route: route ?? request.url.split('?')[0], status, ms: Math.round(ms * 10) / 10, user: request.caller?.userId }, 'request');
  };
  app.addHook('onResponse', (request, reply, done) => {
    access(request, reply.statusCode, reply.elapsedTime);
    done();
  });
  // A stream the client abandons never 'finishes', so Fastify runs no onResponse for it: it is
  // logged and counted when its connection closes, as 499 (client closed request), like its log row.
  const inFlight = deps.inFlight ?? new InFlightRequests();
  inFlight.onAbandonedStream = (reply) => access(reply.request, 499, reply.elapsedTime);

  app.setErrorHandler(errorHandler());
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(unknownRoute(request.method, request.url));
  });

  // A browser app on another origin may call the API with a key, when the operator lists its origin.
  if (deps.corsOrigins && deps.corsOrigins.length > 0) {
    const origins = deps.corsOrigins;
    void app.register(fastifyCors, {
      delegator: (request, callback) =>
        callback(null, {
          origin: /^\/(v1|api)\//.test(request.url ?? '') ? (origins.includes('*') ? '*' : origins) : false,
          methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
          allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-session-id', 'x-cerebro-route', 'x-request-id', 'anthropic-version', 'anthropic-beta'],
          exposedHeaders: ['x-request-id', 'x-cerebro-provider', 'x-cerebro-model', 'x-cerebro-warnings', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after'],
          maxAge: 600,
        }),
    });
  }

  healthRoute(app, deps.pingDatabase, deps.writeHealth, deps.sharedStateHealth);

  // Metrics have their own credentials (a scraper should not hold the operator's token).
  if (deps.metrics) metricsRoute(app, deps.metrics, { operatorTokenHash: deps.auth.operatorTokenHash, metricsTokenHash: deps.metricsTokenHash });

  // The API's description and a page to try it, without a token (they hold no secrets).
  const document = openApiDocument(VERSION);
  app.get('/openapi.json', async () => document);
  void app.register(fastifySwagger, { mode: 'static', specification: { document: document as never } });
  void app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });

  // Accounts are made and signed into without a token.
  const throttle = { limiter: deps.auth.rateLimiter, perAddress: deps.authRateLimit, logins: deps.loginThrottle, now: deps.now };
  publicAccountRoutes(app, deps.accounts, throttle);

  // The web console: its pages, and its session (a cookie page scripts cannot read, with a CSRF token).
  void app.register(fastifyCookie);
  consoleSessionRoutes(app, { accounts: deps.accounts, auth: deps.auth, throttle });
  consolePages(app, deps.consoleDir);

  // Everything else needs a bearer token: the operator's, a gateway key or an account's JWT.
  void app.register(async (api) => {
    api.addHook('onRequest', authenticate(deps.auth));
    // The three entrances, each a plugin with its own error handler and body shape.
    void api.register(async (entrance) => {
      // Fastify's own refusals (malformed JSON, a body too large) never reached the route, which logs
      // everything else: an authenticated caller's failed chat request still gets its log row.
      entrance.setErrorHandler(
        errorHandler({
          refusedBeforeRoute: (request, res) =>
            deps.chat.recordRejected(
              { requestId: `chatcmpl-${uuidv7()}`, caller: request.caller ?? OPERATOR, model: undefined, stream: false },
              new GatewayError({ status: res.status, type: res.body.error.type, code: res.body.error.code, message: res.body.error.message }),
            ),
        }),
      );
      chatCompletionsRoute(entrance, { chat: deps.chat, inFlight, totalTimeoutMs: deps.totalTimeoutMs });
    });
    void api.register(async (entrance) => {
      // Claude-format clients parse Anthropic's error shape.
      entrance.setErrorHandler(errorHandler({ shape: (res) => anthropicError(res.status, res.body.error.message) }));
      messagesRoute(entrance, { chat: deps.chat, inFlight, totalTimeoutMs: deps.totalTimeoutMs });
    });
    void api.register(async (entrance) => {
      entrance.setErrorHandler(errorHandler());
      responsesRoutes(entrance, { chat: deps.chat, responses: deps.responses, storage: deps.storage, inFlight, totalTimeoutMs: deps.totalTimeoutMs });
    });
    if (deps.embeddings) embeddingsRoute(api, { embeddings: deps.embeddings, inFlight, totalTimeoutMs: deps.totalTimeoutMs });
    modelsRoute(api, { catalog: deps.catalog, isConfigured: deps.isConfigured, created: Math.floor(Date.now() / 1000) });
    sessionsRoutes(api, deps.sessions, deps.storage);
    accountRoutes(api, deps.accounts, deps.loginThrottle);
    adminUserRoutes(api, deps.userAdmin);
    gatewayKeyRoutes(api, deps.gatewayKeys, deps.budgetLedger, deps.now);
    providerKeyRoutes(api, deps.providerKeys);
    userConfigRoutes(api, deps.userConfig);
    analyticsRoutes(api, deps.analytics, deps.logs, deps.now);
    logsRoutes(api, deps.logs, deps.now);
    routingRoutes(api, { chat: deps.chat, health: deps.health, catalog: deps.catalog, cache: deps.cache });
  });

  return app;
}
