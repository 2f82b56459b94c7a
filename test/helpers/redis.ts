/**
 * A private redis-server for a test, on a free port, started and stopped by the test (never the
 * machine's shared one, which a test must not stop). Found through REDIS_SERVER (default: on PATH).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

const BINARY = process.env.REDIS_SERVER ?? 'redis-server';

/** Why no private Redis can be started here, or undefined when one can. */
export const REDIS_MISSING: string | undefined =
  spawnSync(BINARY, ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : `no '${BINARY}' to start a private Redis; install redis-server or set REDIS_SERVER to its path`;

export interface PrivateRedis {
  url: string;
  /** Kills it (as a crash would): the gateway must keep answering. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntilAnswering(url: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the private redis-server did not answer within 5 s: ${(err as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const exited = () => new Promise<void>((resolve) => (child === undefined || child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  const start = async () => {
    child = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      await waitUntilAnswering(url);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  };
  const halt = async (signal: NodeJS.Signals) => {
    const done = exited();
    child?.kill(signal);
    await done;
  };
  await start();
  return { url, kill: () => halt('SIGKILL'), start, stop: () => halt('SIGTERM') };
}
