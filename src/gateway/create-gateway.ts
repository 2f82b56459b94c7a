/**
 * The composition root: configuration in, a ready (not yet listening) gateway out. Used by
 * main.ts, the demo, the tests and the benchmark alike, so they all run the real thing.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';
import { buildApp } from '../http/app.js';
import { useLeanAsyncResourceBind } from '../http/async-resource-bind.js';
import { InFlightRequests } from '../http/in-flight.js';
import { createUndiciTransport, type Transport } from '../providers/http-transport.js';
import { createAdapters } from '../providers/registry.js';
import type { ProviderId } from '../providers/types.js';
import { resolveTarget } from '../routing/cascade.js';
import { loadCatalogFile, ModelCatalog } from '../routing/model-catalog.js';
import { resolveOperatorToken, type OperatorToken } from '../security/operator-token-bootstrap.js';
import { migrateToLatest, openDatabase, pingDatabase } from '../store/database.js';
import { RequestLogWriter } from '../store/request-log-writer.js';
import { SessionRepository } from '../store/session-repository.js';
import { SettingsRepository } from '../store/settings-repository.js';
import { ChatService } from './chat-service.js';
import { Executor } from './executor.js';

export interface Gateway {
  app: FastifyInstance;
  token: OperatorToken;
  catalog: ModelCatalog;
  databaseDescription: string;
  logs: RequestLogWriter;
  sessions: SessionRepository;
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

/** The catalog file with the environment's cascade overrides applied; every cascade entry must resolve. */
export function catalogFor(config: Config): ModelCatalog {
  const file = loadCatalogFile(config.modelsFile);
  const cascade = { ...file.cascade, ...config.cascadeOverrides };
  const catalog = new ModelCatalog(file.models, cascade);
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
  const database = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(database.db);
    const settings = new SettingsRepository(database.db);
    const token = await resolveOperatorToken(config.apiToken, settings);
    const sessions = new SessionRepository(database.db);
    const now = options.now ?? Date.now;
    const logs = new RequestLogWriter(database.logInserter(), {
      flushIntervalMs: config.logFlushIntervalMs,
      batchSize: 64,
      maxQueued: 100_000,
      onError: (err) => app.log.error({ err }, 'writing request logs failed; will retry'),
    });
    const transport =
      options.transport ??
      createUndiciTransport({ connectMs: config.timeouts.connectMs, firstByteMs: config.timeouts.firstByteMs, idleMs: config.timeouts.firstByteMs });
    const executor = new Executor({
      adapters: createAdapters({
        anthropicDefaultMaxTokens: config.anthropicDefaultMaxTokens,
        openRouterAppUrl: config.openRouterAppUrl,
        openRouterAppTitle: config.openRouterAppTitle,
      }),
      credentials: config.providers,
      transport,
      now,
      timeouts: { firstByteMs: config.timeouts.firstByteMs, responseMs: config.timeouts.responseMs },
    });
    const chat = new ChatService({ executor, catalog, sessions, logs, memoryMessages: config.memoryMessages, now });
    const isConfigured = (provider: ProviderId) => executor.isConfigured(provider);
    const inFlight = new InFlightRequests();
    const appOptions: Parameters<typeof buildApp>[0] = {
      chat,
      catalog,
      sessions,
      isConfigured,
      pingDatabase: () => pingDatabase(database.db),
      operatorTokenHash: token.hash,
      inFlight,
      bodyLimitBytes: config.bodyLimitBytes,
      totalTimeoutMs: config.timeouts.totalMs,
    };
    if (options.logger !== undefined) appOptions.logger = options.logger;
    const app = buildApp(appOptions);
    let closing: Promise<void> | undefined;
    return {
      app,
      token,
      catalog,
      databaseDescription: database.description,
      logs,
      sessions,
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
            try {
              await logs.close();
            } finally {
              await transport.close();
              await database.close();
            }
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
