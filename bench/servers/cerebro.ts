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
});
// The same logger `npm start` configures (pino JSON lines, asynchronous writes), as in production,
// into a file: on stdout the lines would go down a pipe that the load generator, on the same two
// cores, would have to read, charging the log collector's work to the measurement.
const logFile = logDestination(join(dir, 'cerebro.log'));
const gateway = await createGateway(config, { logger: loggerOptions(config.logLevel, 'json', logFile) });
const address = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`READY ${new URL(address).port}\n`);
// The scratch folder (database and log) goes with the process.
process.on(
  'SIGTERM',
  () =>
    void gateway.close().then(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }),
);
