/** Child process: Cerebro in its real configuration (token auth, SQLite request logs), pointed at the emulator. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { logDestination, loggerOptions } from '../../src/http/logger-options.js';
import { createGateway } from '../../src/create-gateway.js';
import { BENCH_TOKEN } from '../constants.js';

const upstreamPort = Number(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'cerebro-bench-'));
const config = loadConfig({
  CEREBRO_API_TOKEN: BENCH_TOKEN,
  DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
  OPENAI_API_KEY: 'bench',
  OPENAI_BASE_URL: `http://127.0.0.1:${upstreamPort}/openai/v1`,
  LOG_LEVEL: 'info',
  // The emulator has no quota: the free-tier counter must not send the load elsewhere.
  // Cache off: every request goes upstream (the benchmark measures the proxy path, not replays);
  // the soak turns it on for the replays in its mix.
  CACHE_MAX_SIZE: process.env.BENCH_CACHE_MAX_SIZE ?? '0',
  OPENROUTER_FREE_REQUESTS_PER_MINUTE: '100000',
  OPENROUTER_FREE_REQUESTS_PER_DAY: '10000000',
  // With a gateway key, its limits and the user's are counted on every request (never reached here).
  GATEWAY_KEY_MAX_RATE_LIMIT: '100000',
  USER_RATE_LIMIT: '1000000',
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: process.env.REDIS_PREFIX ?? 'bench:' } : {}),
});
// The same logger `npm start` configures (pino JSON lines, asynchronous writes), as in production,
// into a file: on stdout the lines would go down a pipe that the load generator, on the same two
// cores, would have to read, charging the log collector's work to the measurement.
const logFile = logDestination(join(dir, 'cerebro.log'));
const gateway = await createGateway(config, { logger: loggerOptions(config.logLevel, 'json', logFile) });
const address = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
if (process.env.REDIS_URL) {
  // A Redis that does not answer would measure the per-instance fallback instead: said, not measured.
  for (let i = 0; ; i++) {
    const health = (await gateway.app.inject({ method: 'GET', url: '/health' })).json() as { redis?: { status: string } };
    if (health.redis?.status === 'ok') break;
    if (i === 50) throw new Error(`no Redis answers at ${process.env.REDIS_URL} (set BENCH_REDIS_URL)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
let token = '';
if (process.env.BENCH_GATEWAY_KEY === '1') {
  const made = await gateway.app.inject({ method: 'POST', url: '/api/keys/gateway', headers: { authorization: `Bearer ${BENCH_TOKEN}` }, payload: { name: 'bench', rate_limit: 100_000 } });
  token = ` ${(made.json() as { key: string }).key}`;
}
process.stdout.write(`READY ${new URL(address).port}${token}\n`);
// The scratch folder (database and log) goes with the process.
process.on(
  'SIGTERM',
  () =>
    void gateway.close().then(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }),
);
