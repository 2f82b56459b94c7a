/** A real gateway on a real port, pointed at a real emulator, with a fresh SQLite file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { loadConfig, type Config } from '../../src/config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/create-gateway.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { TestDatabase } from './databases.js';

export const TEST_TOKEN = 'test-operator-token-0123456789';

export interface Stack {
  emulator: Emulator;
  gateway: Gateway;
  config: Config;
  url: string;
  client: OpenAI;
  dir: string;
  /** Raw POST to the gateway with the operator token. */
  post(path: string, body: unknown, headers?: Record<string, string>, signal?: AbortSignal): Promise<Response>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Another database than the stack's own SQLite file (dropped when the stack closes). */
  database?: TestDatabase;
  /** Keep the database when closing (to start another gateway on it). */
  keepDatabase?: boolean;
  /** The gateway's logger (off by default). */
  logger?: GatewayOptions['logger'];
}

/** `null` removes a variable the stack would otherwise set (to leave a provider unconfigured). */
export async function startStack(env: Record<string, string | null> = {}, options: StackOptions = {}): Promise<Stack> {
  const emulator = await startEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'cerebro-test-'));
  const base: Record<string, string> = {
    CEREBRO_API_TOKEN: TEST_TOKEN,
    DATABASE_URL: `sqlite:${join(dir, 'cerebro.db')}`,
    ...options.database?.env,
    LOG_FLUSH_INTERVAL_MS: '20',
    // Every test signs up from 127.0.0.1: the per-address sign-in throttle is not what they test.
    AUTH_RATE_LIMIT: '10000',
    // Sign-up is closed by default (a public gateway is invite-only); the tests make their own accounts.
    ALLOW_SIGNUP: 'true',
    // Nor is OpenRouter's real free-tier quota (tests that need it set it lower).
    OPENROUTER_FREE_REQUESTS_PER_MINUTE: '100000',
    // Tests repeat identical requests to see what the gateway does upstream: the cache is off
    // unless a test turns it on.
    CACHE_MAX_SIZE: '0',
    // Each failure path is asserted attempt by attempt: no retry passes unless a test asks.
    UPSTREAM_RETRIES: '0',
    OPENROUTER_FREE_REQUESTS_PER_DAY: '100000',
    OPENROUTER_API_KEY: 'sk-or-test',
    GEMINI_API_KEY: 'gemini-test',
    ANTHROPIC_API_KEY: 'sk-ant-test',
    OPENAI_API_KEY: 'sk-openai-test',
    OPENROUTER_BASE_URL: emulator.baseUrls.openrouter,
    GEMINI_BASE_URL: emulator.baseUrls.gemini,
    ANTHROPIC_BASE_URL: emulator.baseUrls.anthropic,
    OPENAI_BASE_URL: emulator.baseUrls.openai,
    CASCADE_FREE_MODELS: 'openrouter/free,meta-llama/llama-3.3-70b-instruct:free',
    CASCADE_FALLBACK_MODELS: 'gemini-2.5-flash',
    CASCADE_PRIORITY_MODELS: 'claude-sonnet-4-5',
  };
  const merged: Record<string, string> = { ...base };
  for (const [k, v] of Object.entries(env)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  // A gateway that fails to start must not leave its emulator (and the test run) waiting forever.
  let gateway: Gateway | undefined;
  let url: string;
  let config: Config;
  try {
    config = loadConfig(merged);
    gateway = await createGateway(config, options.logger !== undefined ? { logger: options.logger } : {});
    url = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  } catch (err) {
    await gateway?.close().catch(() => undefined);
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
    if (options.database && !options.keepDatabase) await options.database.drop().catch(() => undefined);
    throw err;
  }
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: TEST_TOKEN, maxRetries: 0 });
  return {
    emulator,
    gateway,
    config,
    url,
    client,
    dir,
    post: (path, body, headers = {}, signal) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        ...(signal ? { signal } : {}),
      }),
    async close() {
      // Each step runs whatever the one before it did: a gateway that fails to close (its database
      // down) must not leave the emulator listening and the test run waiting forever.
      try {
        await gateway!.close();
      } finally {
        try {
          await emulator.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
          if (options.database && !options.keepDatabase) await options.database.drop();
        }
      }
    },
  };
}
