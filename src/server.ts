/**
 * The server process (`npm start`, `cerebro start`): reads the environment, opens the port, and
 * shuts down gracefully on SIGTERM/SIGINT.
 */
import { existsSync } from 'node:fs';
import { banner } from './banner.js';
import { ConfigError, loadConfig } from './config.js';
import { createGateway } from './create-gateway.js';
import type { FastifyBaseLogger } from 'fastify';
import { loggerOptions } from './http/logger-options.js';

export async function runServer(): Promise<void> {
  // A .env file is read when present; real environment variables win over it.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const gateway = await createGateway(config, { logger: loggerOptions(config.logLevel, config.logFormat) });
  const address = await gateway.app.listen({ host: config.host, port: config.port });
  const shown = address.replace('://0.0.0.0', '://localhost');
  // Log lines leave in batches (logger-options.ts): what start-up logged goes out before the banner.
  await flushLog(gateway.app.log);
  process.stdout.write(banner(config, gateway, shown));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.app.log.info({ signal }, 'shutting down: finishing requests in flight, flushing logs');
    // Past the grace period plus time to flush the logs, something is stuck: leave anyway.
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs + 20_000);
    force.unref();
    gateway.close().then(
      // The log's last batch is written before leaving (process.exit would not wait for a write under way).
      () => flushLog(gateway.app.log).then(() => process.exit(0)),
      (err: unknown) => {
        gateway.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** A failure to start, told plainly. */
export function reportStartFailure(err: unknown): never {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n\nSee .env.example for every variable.\n`);
  else process.stderr.write(`Cerebro failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}

/**
 * Waits until the lines the logger has gathered are written (pino's `flush`), for at most a second:
 * a stdout that stopped draining must not hold up start-up or shutdown.
 */
export function flushLog(log: FastifyBaseLogger, limitMs = 1000): Promise<void> {
  const flush = (log as { flush?: (cb: (err?: Error) => void) => void }).flush;
  if (typeof flush !== 'function') return Promise.resolve();
  return new Promise((resolve) => {
    const limit = setTimeout(resolve, limitMs);
    flush.call(log, () => {
      clearTimeout(limit);
      resolve();
    });
  });
}
