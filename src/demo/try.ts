/**
 * `npm run try`: Cerebro with the provider emulator wired in, to try the console and the API with
 * no provider keys and no network. Data is kept in TRY_DIR (default: a folder in the system's
 * temporary directory), so the console keeps its history across runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainModule } from '../is-main.js';
import { startEmulator } from '../emulator/server.js';
import { reportStartFailure, runServer } from '../server.js';

export const TRY_OPERATOR_TOKEN = 'try-cerebro-operator-token';

export async function runTry(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const emulator = await startEmulator({ record: false, latencyMs: 120 });
  const dir = env.TRY_DIR ?? join(tmpdir(), 'cerebro-try');
  mkdirSync(dir, { recursive: true });
  // The caller's own settings win; the rest makes a gateway that answers from the emulator.
  const host = env.HOST ?? '127.0.0.1';
  const ownToken = env.CEREBRO_API_TOKEN !== undefined;
  // The well-known token is for a gateway only this machine can reach; anywhere else, a random one.
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  const defaults: Record<string, string> = {
    HOST: host,
    CEREBRO_API_TOKEN: loopback ? TRY_OPERATOR_TOKEN : randomBytes(24).toString('base64url'),
    DATABASE_URL: `sqlite:${join(dir, 'cerebro.db')}`,
    ALLOW_SIGNUP: 'true',
    USERS_MAY_USE_OPERATOR_KEYS: 'true',
    // Lets users store provider keys here (the emulator accepts any); a real deployment sets its own.
    MASTER_ENCRYPTION_KEY: 'try-cerebro-master-key-not-for-production',
    OPENROUTER_API_KEY: 'emulator',
    GEMINI_API_KEY: 'emulator',
    ANTHROPIC_API_KEY: 'emulator',
    OPENAI_API_KEY: 'emulator',
    OPENROUTER_BASE_URL: emulator.baseUrls.openrouter,
    GEMINI_BASE_URL: emulator.baseUrls.gemini,
    ANTHROPIC_BASE_URL: emulator.baseUrls.anthropic,
    OPENAI_BASE_URL: emulator.baseUrls.openai,
  };
  for (const [name, value] of Object.entries(defaults)) env[name] ??= value;
  await runServer();
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${env.PORT ?? 8000}`;
  process.stdout.write(
    [
      '',
      'Trying Cerebro with the provider emulator (no keys, no network):',
      `  Console:         ${url}/  (sign up, or sign in as operator with ${ownToken ? 'your CEREBRO_API_TOKEN' : env.CEREBRO_API_TOKEN})`,
      `  A request:       curl ${url}/v1/chat/completions -H "Authorization: Bearer ${ownToken ? '$CEREBRO_API_TOKEN' : env.CEREBRO_API_TOKEN}" -H "Content-Type: application/json" -d '{"model":"auto","messages":[{"role":"user","content":"Hola"}]}'`,
      `  Data kept in:    ${dir}`,
      '',
    ].join('\n'),
  );
}

if (isMainModule(import.meta.url)) runTry().catch(reportStartFailure);
