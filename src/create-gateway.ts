/**
 * The composition root: configuration in, a ready (not yet listening) gateway out. Used by
 * main.ts, the demo, the tests and the benchmark alike, so they all run the real thing.
 */
import type { SharedState } from './shared-state/shared-state.js';
import { budgetLedgerFor, shareChanges, sharedState } from './shared-state-wiring.js';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './package-root.js';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { buildApp } from './http/app.js';
import { useLeanAsyncResourceBind } from './http/async-resource-bind.js';
import { InFlightRequests } from './http/in-flight.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { sha256 } from './security/operator-token.js';
import { ImageFetcher } from './gateway/image-fetcher.js';
import { EmbeddingService } from './gateway/embedding-service.js';
import { createUndiciTransport, type Transport } from './providers/http-transport.js';
import { createAdapters, createEmbeddingAdapters } from './providers/registry.js';
import type { ProviderId } from './providers/types.js';
import { resolveTarget } from './routing/cascade.js';
import { loadCatalogFile, ModelCatalog } from './routing/model-catalog.js';
import { resolveOperatorToken, type OperatorToken } from './security/operator-token-bootstrap.js';
import { migrateToLatest, databaseOptions, openDatabase, pingDatabase } from './store/database.js';
import { RequestLogWriter } from './store/request-log-writer.js';
import { SessionRepository } from './store/session-repository.js';
import { SettingsRepository } from './store/settings-repository.js';
import { AccountService } from './accounts/accounts.js';
import { AccountStates } from './accounts/account-states.js';
import { UserAdmin } from './accounts/user-admin.js';
import { RevokedTokenRepository } from './store/revoked-token-repository.js';
import { GatewayKeyService } from './accounts/gateway-keys.js';
import { ProviderKeyService } from './accounts/provider-keys.js';
import { FixedWindowRateLimiter } from './accounts/rate-limiter.js';
import { DEFAULT_LOGIN_THROTTLE, MemoryLoginThrottle } from './accounts/login-throttle.js';
import { resolveSecretKey } from './security/secret-key-bootstrap.js';
import { AnalyticsRepository } from './store/analytics-repository.js';
import { RequestLogQuery } from './store/request-log-query.js';
import { ResponseRepository } from './store/response-repository.js';
import { DailyUsageRepository } from './store/daily-usage-repository.js';
import { GatewayKeyRepository } from './store/gateway-key-repository.js';
import { ProviderKeyRepository } from './store/provider-key-repository.js';
import { UserConfigRepository } from './store/user-config-repository.js';
import { UserRepository } from './store/user-repository.js';
import { CallerContexts } from './gateway/caller-context.js';
import { ChatService } from './gateway/chat-service.js';
import { DailyUsageCounter } from './accounts/daily-usage.js';
import { Executor } from './gateway/executor.js';
import { RequestBudgets } from './gateway/request-holds.js';
import { DatabaseHealth } from './gateway/database-health.js';
import { StorageQuota } from './gateway/storage-quota.js';
import { UserStorageRepository } from './store/user-storage-repository.js';
import { MemoryResponseCache, type ResponseCache } from './cache/response-cache.js';
import { DEFAULT_HEALTH_OPTIONS, HealthTracker } from './routing/health.js';

export interface Gateway {
  app: FastifyInstance;
  token: OperatorToken;
  catalog: ModelCatalog;
  databaseDescription: string;
  logs: RequestLogWriter;
  sessions: SessionRepository;
  /** Provider health as the router sees it. */
  health: HealthTracker;
  /** The answer cache, when on. */
  cache: ResponseCache | undefined;
  isConfigured(provider: ProviderId): boolean;
  /**
   * Stops accepting, lets requests and streams in flight finish (cancelling what is left after
   * SHUTDOWN_GRACE_MS), flushes the request logs, closes the database.
   */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger?: FastifyServerOptions['logger'];
  transport?: Transport;
  now?: () => number;
}

/**
 * /health's write, tried while writes are failing: one at a time, at most every 5 s, bounded by 2 s,
 * so health checks (unauthenticated, frequent) cannot pile writes onto a struggling database.
 */
function writeProbe(write: () => Promise<void>, health: DatabaseHealth, now: () => number): () => Promise<void> {
  let running: Promise<void> | undefined;
  let lastFailedAt = -Infinity;
  return () => {
    if (running) return running;
    if (now() - lastFailedAt < 5_000) return Promise.reject(new Error('writes failed a moment ago'));
    let timer: NodeJS.Timeout | undefined;
    const bounded = Promise.race([write(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the write took over 2 s')), 2_000)))]);
    running = bounded
      .then(
        () => health.writeSucceeded(),
        (err: unknown) => {
          lastFailedAt = now();
          throw err;
        },
      )
      .finally(() => {
        clearTimeout(timer);
        running = undefined;
      });
    return running;
  };
}

/** The catalog file with the environment's cascade overrides applied; every cascade entry must resolve. */
export function catalogFor(config: Config): ModelCatalog {
  const file = loadCatalogFile(config.modelsFile);
  const cascade = { ...file.cascade, ...config.cascadeOverrides };
  const catalog = new ModelCatalog(file.models, cascade, file.embeddings);
  for (const [tier, names] of Object.entries(cascade)) {
    for (const name of names) {
      if (!resolveTarget(name, catalog)) throw new Error(`cascade.${tier}: cannot tell which provider serves '${name}'; add it to ${config.modelsFile}`);
    }
  }
  return catalog;
}

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  // Node 20's AsyncResource.bind slows every GC; Fastify binds once per request (see the module).
  useLeanAsyncResourceBind();
  const catalog = catalogFor(config);
  // Told of pooled connections the database dropped (a restart, a failover): logged, never fatal.
  let onConnectionError = (err: Error) => process.emitWarning(`database connection lost: ${err.message}`);
  const database = openDatabase(config.databaseUrl, { ...databaseOptions(config.database), onConnectionError: (err) => onConnectionError(err) });
  const timers: NodeJS.Timeout[] = [];
  try {
    await migrateToLatest(database);
    const settings = new SettingsRepository(database.db);
    const token = await resolveOperatorToken(config.apiToken, settings);
    const secretKey = (await resolveSecretKey(config.secretKey, settings)).secret;
    const sessions = new SessionRepository(database.db);
    const now = options.now ?? Date.now;
    const logs = new RequestLogWriter(database.logInserter(), {
      flushIntervalMs: config.logFlushIntervalMs,
      batchSize: 64,
      maxQueued: 100_000,
      onError: (err) => app.log.error({ err }, 'writing request logs failed; will retry'),
    });
    const transport = options.transport ?? createUndiciTransport({ connectMs: config.timeouts.connectMs, firstByteMs: config.timeouts.firstByteMs, idleMs: config.timeouts.firstByteMs });
    const adapters = createAdapters({
      anthropicDefaultMaxTokens: config.anthropicDefaultMaxTokens,
      openRouterAppUrl: config.openRouterAppUrl,
      openRouterAppTitle: config.openRouterAppTitle,
    });
    const health = new HealthTracker(now, {
      ...DEFAULT_HEALTH_OPTIONS,
      freeTier: { perMinute: config.openRouterFreePerMinute, perDay: config.openRouterFreePerDay },
    });
    const images = new ImageFetcher({
      maxBytes: config.imageFetch.maxBytes,
      timeoutMs: config.imageFetch.timeoutMs,
      ports: config.imageFetch.ports,
      onFailure: (detail) => app.log.info({ detail }, 'an image given by URL could not be fetched'),
      ...(config.imageFetch.allowPrivate ? { isAllowedAddress: () => true } : {}),
    });
    const executor = new Executor({
      images,
      observer: health,
      retries: config.retries,
      adapters,
      credentials: config.providers,
      transport,
      now,
      timeouts: { firstByteMs: config.timeouts.firstByteMs, responseMs: config.timeouts.responseMs },
    });
    const onBackgroundError = (what: string) => (err: unknown) => app.log.error({ err }, `${what} failed; will retry`);
    const usage = new DailyUsageCounter(new DailyUsageRepository(database.db), { now, refreshMs: 5_000, onError: onBackgroundError('counting daily usage') });
    const configs = new UserConfigRepository(database.db);
    const users = new UserRepository(database.db);
    const accountStates = new AccountStates(users, new RevokedTokenRepository(database.db), { ttlMs: 5_000, maxEntries: 100_000, now });
    // Redis shared by the instances, when configured: limits, revocations and account changes.
    const shared: SharedState | undefined = config.redis && sharedState(config.redis, { now, metrics: () => metrics, log: () => app.log });
    await shared?.redis.connected(2_000);
    const logQuery = new RequestLogQuery(database.db);
    const budgetLedger = budgetLedgerFor(shared, (scope, since) => logQuery.spendSince(scope, since), now);
    // Limits read and held across instances when they share a Redis; `usage` still records every request.
    const tokenBudget = shared ? shared.tokenBudget(usage) : usage;
    const contexts = new CallerContexts({
      userBudgetCeiling: config.userBudgetCeiling,
      configs,
      users,
      providerKeys: new ProviderKeyRepository(database.db),
      usage: tokenBudget,
      operatorCredentials: config.providers,
      usersMayUseOperatorKeys: config.usersMayUseOperatorKeys,
      baseUrls: config.baseUrls,
      masterKey: config.masterEncryptionKey,
      defaultMemoryMessages: config.memoryMessages,
      userDailyTokenLimit: config.userDailyTokenLimit,
      now,
      cacheTtlMs: 5_000,
      onError: (err) => app.log.error({ err }, 'reading a caller context from the database failed'),
    });
    const gatewayKeys = new GatewayKeyService(new GatewayKeyRepository(database.db), {
      now,
      cacheTtlMs: 10_000,
      defaultRateLimit: config.gatewayKeyDefaultRateLimit,
      maxRateLimit: config.gatewayKeyMaxRateLimit,
      onRevoked: (keyHash) => shared?.changes.publish({ kind: 'key-revoked', keyHash }),
      onChanged: (keyHash) => shared?.changes.publish({ kind: 'key-changed', keyHash }),
    });
    const providerKeys = new ProviderKeyService({
      repo: new ProviderKeyRepository(database.db),
      adapters,
      baseUrls: config.baseUrls,
      transport,
      masterKey: config.masterEncryptionKey,
      now,
      verifyTimeoutMs: 15_000,
      onChange: (userId) => accountChanged(userId),
      onVerifyError: (err, provider) => app.log.warn({ err, provider }, 'verifying a provider key: the upstream could not be reached'),
    });
    const storage = new StorageQuota(new UserStorageRepository(database.db), { limitBytes: config.userStorageLimitBytes, refreshMs: 5_000, now, onError: onBackgroundError('reading storage use') });
    // A changed, disabled or deleted account is seen at once on this instance; on the others at once
    // through Redis when they share one, within 5 s otherwise.
    const forgetAccount = (userId: string) => {
      accountStates.invalidate(userId);
      contexts.invalidate(userId);
      storage.forget(userId);
    };
    const accountChanged = (userId: string) => {
      forgetAccount(userId);
      shared?.changes.publish({ kind: 'account', userId });
    };
    if (shared) shareChanges(shared.changes, { forgetAccount, gatewayKeys, health });
    const accounts = new AccountService(users, {
      secretKey,
      allowSignup: config.allowSignup,
      now,
      revokedTokens: new RevokedTokenRepository(database.db),
      onChange: accountChanged,
      revokeGatewayKeys: (userId) => gatewayKeys.revokeAll(userId),
      beforeDelete: async (userId) => {
        accountStates.markGone(userId);
        await inFlight.abortUser(userId, 2_000);
        usage.forget(userId);
        logs.anonymise(userId);
        // What is being written now lands before the deletion, which removes or anonymises it with the rest.
        await Promise.allSettled([usage.flush(), logs.flush()]);
      },
    });
    const userAdmin = new UserAdmin({ users, accounts, tokensToday: (userId) => tokenBudget.tokensToday(userId), now, onChange: accountChanged });
    const cacheBounds = { maxEntries: config.cache.maxEntries, maxBytes: config.cache.maxBytes, ttlMs: config.cache.ttlSeconds * 1000 };
    const answerCache = config.cache.maxEntries === 0 ? undefined : config.cache.backend === 'redis' && shared ? shared.responseCache(cacheBounds) : new MemoryResponseCache({ ...cacheBounds, now });
    const embeddings = new EmbeddingService({
      adapters: createEmbeddingAdapters(),
      chatAdapters: adapters,
      transport,
      catalog,
      contexts,
      logs,
      timeoutMs: config.timeouts.responseMs,
      now,
    });
    // Session writes and log batches both tell it whether the database takes writes.
    const databaseHealth = new DatabaseHealth(now);
    logs.onWritten = () => databaseHealth.writeSucceeded();
    logs.onFailed = () => databaseHealth.writeFailed();
    const chat = new ChatService({
      databaseHealth,
      budgets: new RequestBudgets(contexts, storage, catalog, budgetLedger),
      cache: answerCache && { store: answerCache, maxTemperature: config.cache.maxTemperature },
      executor,
      catalog,
      sessions,
      logs,
      contexts,
      onStoreError: (err, requestId) => app.log.error({ err, requestId }, 'storing a session turn failed'),
      health: (provider, model) => health.view(provider, model),
      available: (provider, model) => health.available(provider, model),
      notFoundUpstream: (provider, model) => health.notFoundUpstream(provider, model),
      now,
    });
    // Counters and last-used times are written in the background, never on a request.
    timers.push(setInterval(() => void usage.flush(), 1_000).unref());
    timers.push(setInterval(() => void gatewayKeys.flushLastUsed().catch(onBackgroundError('recording gateway key use')), 15_000).unref());
    const isConfigured = (provider: ProviderId) => executor.isConfigured(provider);
    const inFlight = new InFlightRequests();
    const metrics: GatewayMetrics = new GatewayMetrics({
      ...(shared ? { sharedStateFallbacks: () => shared.fallback.fallbacks } : {}),
      budgets: budgetLedger,
      health,
      cache: answerCache,
      streamsInFlight: () => inFlight.streams,
      requestsInFlight: () => inFlight.size,
      isKnownModel: (model) => catalog.get(model) !== undefined || catalog.embedding(model) !== undefined,
      requestLogs: () => logs,
    });
    logs.onRecord((row, attempts) => metrics.observeRow(row, attempts));
    const appOptions: Parameters<typeof buildApp>[0] = {
      consoleDir: join(PACKAGE_ROOT, 'dist', 'web'),
      chat,
      embeddings,
      catalog,
      sessions,
      storage,
      isConfigured,
      pingDatabase: () => pingDatabase(database.db),
      sharedStateHealth: shared ? () => shared.health() : undefined,
      writeHealth: { failingSince: () => databaseHealth.failingSinceMs, probe: writeProbe(() => settings.set('write_probe', new Date(now()).toISOString()), databaseHealth, now) },
      auth: {
        operatorTokenHash: token.hash,
        gatewayKeys,
        rateLimiter: shared ? shared.rateLimiter(new FixedWindowRateLimiter(now)) : new FixedWindowRateLimiter(now),
        secretKey,
        accountRateLimit: config.gatewayKeyDefaultRateLimit,
        userRateLimit: config.userRateLimit,
        accountStates,
        now,
      },
      accounts,
      userAdmin,
      authRateLimit: config.authRateLimit,
      loginThrottle: new MemoryLoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, now }),
      trustProxy: config.trustProxy,
      corsOrigins: config.corsOrigins,
      gatewayKeys,
      providerKeys,
      userConfig: {
        configs,
        contexts,
        usage: tokenBudget,
        catalog,
        defaultMemoryMessages: config.memoryMessages,
        now,
        changed: accountChanged,
        budgets: budgetLedger,
        maxBudgetUsd: config.userBudgetCeiling?.maxBudgetUsd,
      },
      budgetLedger,
      analytics: new AnalyticsRepository(database.db),
      logs: logQuery,
      responses: new ResponseRepository(database.db),
      health,
      cache: answerCache,
      now,
      inFlight,
      metrics,
      metricsTokenHash: config.metricsToken === undefined ? undefined : sha256(config.metricsToken),
      bodyLimitBytes: config.bodyLimitBytes,
      apiBodyLimitBytes: config.apiBodyLimitBytes,
      server: config.server,
      totalTimeoutMs: config.timeouts.totalMs,
    };
    if (options.logger !== undefined) appOptions.logger = options.logger;
    const app = buildApp(appOptions);
    for (const warning of database.warnings) app.log.warn(warning);
    onConnectionError = (err) => app.log.warn({ err: err.message }, 'a database connection was lost; the pool will open a new one');
    let closing: Promise<void> | undefined;
    return {
      app,
      token,
      catalog,
      databaseDescription: database.description,
      logs,
      sessions,
      health,
      cache: answerCache,
      isConfigured,
      close() {
        closing ??= (async () => {
          const grace = setTimeout(() => inFlight.abortAll(), config.shutdownGraceMs);
          // Connections that finish their last response after close() began would otherwise idle
          // until the keep-alive timeout before the server lets go of them.
          const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
          try {
            await app.close();
          } finally {
            clearTimeout(grace);
            clearInterval(sweep);
            for (const t of timers) clearInterval(t);
            try {
              await Promise.allSettled([usage.flush(), gatewayKeys.flushLastUsed()]);
              await logs.close();
            } finally {
              await Promise.allSettled([transport.close(), images.close(), shared?.close()]);
              await database.close();
            }
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    for (const t of timers) clearInterval(t);
    await database.close();
    throw err;
  }
}
