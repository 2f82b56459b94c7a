/**
 * Configuration from the environment, validated once at start-up. Every mistake is reported by
 * variable name, all at once. Pure: the caller passes the environment in.
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { PACKAGE_ROOT } from './package-root.js';
import { PROVIDER_DEFINITIONS, PROVIDER_IDS } from './providers/definitions.js';
import type { ProviderCredentials, ProviderId } from './providers/types.js';

const int = (min: number, max: number) => z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const url = z
  .string()
  .url('must be a URL such as https://example.com/v1')
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://');

const optionalKey = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const modelList = z
  .string()
  .optional()
  .transform((v) =>
    v === undefined || v.trim() === ''
      ? undefined
      : v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
  );

const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }).transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Fastify's `trustProxy`: `false` (the socket's address is the client's), `true` (the left-most
 * X-Forwarded-For entry: only behind a proxy that overwrites the header), a hop count, or the
 * proxies' addresses and CIDR ranges.
 */
const trustProxy = z
  .string()
  .trim()
  .default('false')
  .transform((v, ctx): boolean | number | string[] => {
    if (v === '' || v === 'false') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    const entries = v
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const bad = entries.find((e) => {
      const [address = '', prefix, extra] = e.split('/');
      const version = isIP(address);
      return version === 0 || extra !== undefined || (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128)));
    });
    if (bad !== undefined || entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: `must be true, false, a hop count or a comma-separated list of addresses and CIDR ranges (not '${bad ?? v}')` });
      return z.NEVER;
    }
    return entries;
  });

const envSchema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(8000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty', 'auto'], { message: "must be 'json', 'pretty' or 'auto'" }).default('auto'),
  CEREBRO_API_TOKEN: optionalKey.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters (or unset, to have one generated)'),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/cerebro.db')
    .refine(
      (v) => (v.startsWith('sqlite:') && v.length > 'sqlite:'.length) || /^postgres(ql)?:\/\/.+/.test(v),
      'must be sqlite:<path> (for example sqlite:./data/cerebro.db) or postgres://user:password@host:5432/database',
    ),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('cerebro'),
  DATABASE_SSL: z.enum(['auto', 'off', 'require', 'verify']).default('auto'),
  DATABASE_CA_CERT: optionalKey,
  DATABASE_POOL_MAX: int(1, 200).default(10),
  DATABASE_TIMEOUT_MS: int(100, 600_000).default(5_000),
  DATABASE_QUERY_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  // Shared state for several instances (optional): limits, revocations, cool-downs, the answer cache.
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.{}-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 : _ . { } -')
    .default('cerebro:'),
  REDIS_TIMEOUT_MS: int(10, 60_000).default(250),
  LIMITS_ON_REDIS_FAILURE: z.enum(['local', 'deny']).default('local'),
  SECRET_KEY: optionalKey.refine((v) => v === undefined || v.length >= 32, 'must be at least 32 characters (for example: openssl rand -base64 32)'),
  MASTER_ENCRYPTION_KEY: optionalKey.refine((v) => v === undefined || v.length >= 32, 'must be at least 32 characters (for example: openssl rand -base64 32)'),
  ALLOW_SIGNUP: flag.default(false),
  USERS_MAY_USE_OPERATOR_KEYS: flag.default(false),
  METRICS_TOKEN: optionalKey.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters'),
  IMAGE_FETCH_MAX_BYTES: int(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  IMAGE_FETCH_TIMEOUT_MS: int(100, 120_000).default(10_000),
  IMAGE_FETCH_ALLOW_PRIVATE: flag.default(false),
  IMAGE_FETCH_PORTS: z
    .string()
    .default('80,443')
    .refine((v) => v.split(',').every((p) => /^\d{1,5}$/.test(p.trim()) && Number(p) >= 1 && Number(p) <= 65535), 'must be a comma-separated list of port numbers')
    .transform((v) => v.split(',').map((p) => Number(p.trim()))),
  GATEWAY_KEY_DEFAULT_RATE_LIMIT: int(1, 100_000).default(100),
  GATEWAY_KEY_MAX_RATE_LIMIT: int(1, 100_000).default(1_000),
  AUTH_RATE_LIMIT: int(1, 100_000).default(30),
  TRUST_PROXY: trustProxy,
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      v === undefined || v.trim() === ''
        ? []
        : v
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    )
    .refine((list) => list.every((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o)), 'must be a comma-separated list of origins such as https://app.example.com (scheme and host, no path), or *'),
  USER_RATE_LIMIT: int(1, 1_000_000).default(600),
  USER_STORAGE_LIMIT_BYTES: int(0, Number.MAX_SAFE_INTEGER).default(100 * 1024 * 1024),
  UPSTREAM_RETRIES: int(0, 5).default(1),
  UPSTREAM_RETRY_BASE_MS: int(0, 60_000).default(250),
  CACHE_MAX_SIZE: int(0, 10_000_000).default(1_000),
  CACHE_TTL: int(1, 30 * 86_400).default(3_600),
  CACHE_MAX_BYTES: int(1024, Number.MAX_SAFE_INTEGER).default(64 * 1024 * 1024),
  CACHE_BACKEND: z.enum(['memory', 'redis']).default('memory'),
  CACHE_MAX_TEMPERATURE: z.coerce.number({ message: 'must be a number' }).min(0, 'must be at least 0').max(2, 'must be at most 2').default(0),
  OPENROUTER_FREE_REQUESTS_PER_MINUTE: int(1, 100_000).default(20),
  OPENROUTER_FREE_REQUESTS_PER_DAY: int(1, 10_000_000).default(50),
  USER_MAX_BUDGET_USD: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.coerce.number({ message: 'must be a number' }).min(0).max(1_000_000).optional()),
  USER_MAX_BUDGET_PERIOD: z.enum(['daily', 'weekly', 'monthly', 'lifetime']).default('monthly'),
  USER_DAILY_TOKEN_LIMIT: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), int(1, Number.MAX_SAFE_INTEGER).optional()),
  OPENROUTER_APP_URL: url.default('https://github.com/cerebro-gateway/cerebro'),
  OPENROUTER_APP_TITLE: z.string().min(1).default('Cerebro'),
  // The bundled catalog, wherever the command is run from (a relative path given here is the caller's).
  CEREBRO_MODELS_FILE: z
    .string()
    .min(1)
    .default(join(PACKAGE_ROOT, 'data', 'models.json')),
  CASCADE_FREE_MODELS: modelList,
  CASCADE_FALLBACK_MODELS: modelList,
  CASCADE_PRIORITY_MODELS: modelList,
  CEREBRO_MEMORY_MESSAGES: int(0, 1000).default(20),
  ANTHROPIC_DEFAULT_MAX_TOKENS: int(1, 200_000).default(4096),
  UPSTREAM_CONNECT_TIMEOUT_MS: int(100, 600_000).default(5_000),
  UPSTREAM_FIRST_BYTE_TIMEOUT_MS: int(100, 600_000).default(60_000),
  UPSTREAM_RESPONSE_TIMEOUT_MS: int(100, 3_600_000).default(120_000),
  UPSTREAM_TOTAL_TIMEOUT_MS: int(100, 3_600_000).default(300_000),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(20 * 1024 * 1024),
  API_BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  REQUEST_TIMEOUT_MS: int(100, 600_000).default(30_000),
  HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
  KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000).default(72_000),
  LOG_FLUSH_INTERVAL_MS: int(10, 60_000).default(500),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
});

/** Each provider's key and base URL variables, from its definition (providers/definitions.ts). */
const providerEnvSchema = z.object(
  Object.fromEntries(
    PROVIDER_IDS.flatMap((id) => [
      [PROVIDER_DEFINITIONS[id].env.apiKey, optionalKey],
      [PROVIDER_DEFINITIONS[id].env.baseUrl, url.default(PROVIDER_DEFINITIONS[id].defaultBaseUrl)],
    ]),
  ),
);

export interface Config {
  host: string;
  port: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** `auto`: readable in a terminal in development, JSON lines otherwise. */
  logFormat: z.infer<typeof envSchema>['LOG_FORMAT'];
  /** Set by the operator; otherwise the gateway generates one at first start. */
  apiToken: string | undefined;
  databaseUrl: string;
  /** Redis, when several instances share limits, revocations, cool-downs and the answer cache. */
  redis: { url: string; prefix: string; timeoutMs: number; onFailure: 'local' | 'deny' } | undefined;
  /** Postgres: schema, TLS, pool size. */
  database: { schema: string; ssl: 'auto' | 'off' | 'require' | 'verify'; caFile: string | undefined; poolMax: number; connectTimeoutMs: number; queryTimeoutMs: number };
  /** Signs account JWTs; generated and stored when unset. */
  secretKey: string | undefined;
  /** Encrypts users' provider keys; without it they cannot be stored. */
  masterEncryptionKey: string | undefined;
  allowSignup: boolean;
  /** Whether users (not just the operator) may be routed with the environment's provider keys. */
  usersMayUseOperatorKeys: boolean;
  /** A bearer token that reads /metrics and nothing else (for a Prometheus scraper). */
  metricsToken: string | undefined;
  /** Images given by URL and fetched for Gemini: size and time bounds; private addresses only for a trusted LAN. */
  imageFetch: { maxBytes: number; timeoutMs: number; allowPrivate: boolean; ports: number[] };
  gatewayKeyDefaultRateLimit: number;
  /** Sign-up and log-in attempts per minute per client address. */
  authRateLimit: number;
  /** Which proxies' X-Forwarded-For to believe for the client's address (Fastify's `trustProxy`). */
  trustProxy: boolean | number | string[];
  /** Browser origins allowed to call /v1 and /api (CORS); empty: none. */
  corsOrigins: string[];
  /** Requests per minute of one user across all their keys and account tokens. */
  userRateLimit: number;
  /** Bytes a user may keep in session memory (0: no limit). */
  userStorageLimitBytes: number;
  /** Extra passes over targets that failed transiently, and the base of their jittered pause. */
  retries: { passes: number; baseDelayMs: number };
  /** The answer cache: entries (0 = off), bytes, time to live, and the highest temperature it replays. */
  /** `redis`: shared by the instances (needs REDIS_URL). */
  cache: { maxEntries: number; maxBytes: number; ttlSeconds: number; maxTemperature: number; backend: 'memory' | 'redis' };
  /** OpenRouter's free-model limits for this account (1,000 a day once credits were bought). */
  openRouterFreePerMinute: number;
  openRouterFreePerDay: number;
  /** The most requests per minute a user may give a key. */
  gatewayKeyMaxRateLimit: number;
  /** The operator's ceiling on every user's tokens per UTC day (users may set a lower one). */
  userDailyTokenLimit: number | undefined;
  /** The operator's ceiling on every user's spend (USER_MAX_BUDGET_USD per USER_MAX_BUDGET_PERIOD). */
  userBudgetCeiling: { maxBudgetUsd: number; period: 'daily' | 'weekly' | 'monthly' | null } | undefined;
  providers: Partial<Record<ProviderId, ProviderCredentials>>;
  /** Base URLs of every provider, configured or not (for the banner). */
  baseUrls: Record<ProviderId, string>;
  openRouterAppUrl: string;
  openRouterAppTitle: string;
  modelsFile: string;
  cascadeOverrides: { free?: string[]; fallback?: string[]; priority?: string[] };
  memoryMessages: number;
  anthropicDefaultMaxTokens: number;
  /**
   * connect: TCP connect. firstByte: a stream attempt's first content (and the longest silence
   * inside a stream). response: a non-streamed attempt's complete answer. total: the whole request.
   */
  timeouts: { connectMs: number; firstByteMs: number; responseMs: number; totalMs: number };
  bodyLimitBytes: number;
  /** The smaller limit on every /api/* body (accounts, keys, settings), refused before it is read. */
  apiBodyLimitBytes: number;
  /**
   * request: a request's headers and body must have arrived within it (408 otherwise); headers: its
   * headers alone; keepAlive: how long an idle connection is kept open between requests.
   */
  server: { requestTimeoutMs: number; headersTimeoutMs: number; keepAliveTimeoutMs: number };
  logFlushIntervalMs: number;
  /** On shutdown, how long requests and streams in flight may finish before they are cancelled. */
  shutdownGraceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  const providerEnv = providerEnvSchema.safeParse(env);
  if (!parsed.success || !providerEnv.success) {
    const issues = [...(parsed.error?.issues ?? []), ...(providerEnv.error?.issues ?? [])];
    throw new ConfigError(issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.CACHE_BACKEND === 'redis' && e.REDIS_URL === undefined) throw new ConfigError(['CACHE_BACKEND: redis needs REDIS_URL (or use memory)']);
  const p = providerEnv.data as Record<string, string | undefined>;
  const baseUrls = Object.fromEntries(PROVIDER_IDS.map((id) => [id, p[PROVIDER_DEFINITIONS[id].env.baseUrl]!])) as Record<ProviderId, string>;
  const keys = Object.fromEntries(PROVIDER_IDS.map((id) => [id, p[PROVIDER_DEFINITIONS[id].env.apiKey]])) as Record<ProviderId, string | undefined>;
  const providers: Partial<Record<ProviderId, ProviderCredentials>> = {};
  for (const id of Object.keys(keys) as ProviderId[]) {
    const apiKey = keys[id];
    if (apiKey !== undefined) providers[id] = { apiKey, baseUrl: baseUrls[id] };
  }
  if (e.GATEWAY_KEY_DEFAULT_RATE_LIMIT > e.GATEWAY_KEY_MAX_RATE_LIMIT) {
    throw new ConfigError(['GATEWAY_KEY_DEFAULT_RATE_LIMIT: must be at most GATEWAY_KEY_MAX_RATE_LIMIT']);
  }
  if (e.HEADERS_TIMEOUT_MS > e.REQUEST_TIMEOUT_MS) {
    throw new ConfigError(['HEADERS_TIMEOUT_MS: must be at most REQUEST_TIMEOUT_MS']);
  }
  if (e.UPSTREAM_TOTAL_TIMEOUT_MS < e.UPSTREAM_FIRST_BYTE_TIMEOUT_MS) {
    throw new ConfigError(['UPSTREAM_TOTAL_TIMEOUT_MS: must be at least UPSTREAM_FIRST_BYTE_TIMEOUT_MS']);
  }
  const cascadeOverrides: Config['cascadeOverrides'] = {};
  if (e.CASCADE_FREE_MODELS) cascadeOverrides.free = e.CASCADE_FREE_MODELS;
  if (e.CASCADE_FALLBACK_MODELS) cascadeOverrides.fallback = e.CASCADE_FALLBACK_MODELS;
  if (e.CASCADE_PRIORITY_MODELS) cascadeOverrides.priority = e.CASCADE_PRIORITY_MODELS;
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    apiToken: e.CEREBRO_API_TOKEN,
    databaseUrl: e.DATABASE_URL,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.REDIS_PREFIX, timeoutMs: e.REDIS_TIMEOUT_MS, onFailure: e.LIMITS_ON_REDIS_FAILURE } : undefined,
    database: {
      schema: e.DATABASE_SCHEMA,
      ssl: e.DATABASE_SSL,
      caFile: e.DATABASE_CA_CERT,
      poolMax: e.DATABASE_POOL_MAX,
      connectTimeoutMs: e.DATABASE_TIMEOUT_MS,
      queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS,
    },
    secretKey: e.SECRET_KEY,
    masterEncryptionKey: e.MASTER_ENCRYPTION_KEY,
    allowSignup: e.ALLOW_SIGNUP,
    usersMayUseOperatorKeys: e.USERS_MAY_USE_OPERATOR_KEYS,
    metricsToken: e.METRICS_TOKEN,
    imageFetch: { maxBytes: e.IMAGE_FETCH_MAX_BYTES, timeoutMs: e.IMAGE_FETCH_TIMEOUT_MS, allowPrivate: e.IMAGE_FETCH_ALLOW_PRIVATE, ports: e.IMAGE_FETCH_PORTS },
    gatewayKeyDefaultRateLimit: e.GATEWAY_KEY_DEFAULT_RATE_LIMIT,
    gatewayKeyMaxRateLimit: e.GATEWAY_KEY_MAX_RATE_LIMIT,
    authRateLimit: e.AUTH_RATE_LIMIT,
    userRateLimit: e.USER_RATE_LIMIT,
    userStorageLimitBytes: e.USER_STORAGE_LIMIT_BYTES,
    trustProxy: e.TRUST_PROXY,
    corsOrigins: e.CORS_ORIGINS,
    retries: { passes: e.UPSTREAM_RETRIES, baseDelayMs: e.UPSTREAM_RETRY_BASE_MS },
    cache: { maxEntries: e.CACHE_MAX_SIZE, maxBytes: e.CACHE_MAX_BYTES, ttlSeconds: e.CACHE_TTL, maxTemperature: e.CACHE_MAX_TEMPERATURE, backend: e.CACHE_BACKEND },
    openRouterFreePerMinute: e.OPENROUTER_FREE_REQUESTS_PER_MINUTE,
    openRouterFreePerDay: e.OPENROUTER_FREE_REQUESTS_PER_DAY,
    userDailyTokenLimit: e.USER_DAILY_TOKEN_LIMIT,
    userBudgetCeiling: e.USER_MAX_BUDGET_USD === undefined ? undefined : { maxBudgetUsd: e.USER_MAX_BUDGET_USD, period: e.USER_MAX_BUDGET_PERIOD === 'lifetime' ? null : e.USER_MAX_BUDGET_PERIOD },
    providers,
    baseUrls,
    openRouterAppUrl: e.OPENROUTER_APP_URL,
    openRouterAppTitle: e.OPENROUTER_APP_TITLE,
    modelsFile: e.CEREBRO_MODELS_FILE,
    cascadeOverrides,
    memoryMessages: e.CEREBRO_MEMORY_MESSAGES,
    anthropicDefaultMaxTokens: e.ANTHROPIC_DEFAULT_MAX_TOKENS,
    timeouts: {
      connectMs: e.UPSTREAM_CONNECT_TIMEOUT_MS,
      firstByteMs: e.UPSTREAM_FIRST_BYTE_TIMEOUT_MS,
      responseMs: e.UPSTREAM_RESPONSE_TIMEOUT_MS,
      totalMs: e.UPSTREAM_TOTAL_TIMEOUT_MS,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    apiBodyLimitBytes: e.API_BODY_LIMIT_BYTES,
    server: { requestTimeoutMs: e.REQUEST_TIMEOUT_MS, headersTimeoutMs: e.HEADERS_TIMEOUT_MS, keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS },
    logFlushIntervalMs: e.LOG_FLUSH_INTERVAL_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  };
}
