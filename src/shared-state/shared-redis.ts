/**
 * The Redis connection several instances share state through (REDIS_URL): one kept client, keys
 * under REDIS_PREFIX, and every call bounded by REDIS_TIMEOUT_MS. Commands are never queued while
 * Redis is away (they fail at once, and their callers fall back), and the client reconnects by itself.
 */
import { Redis } from 'ioredis';

export interface SharedRedisOptions {
  url: string;
  /** Put before every key, so several deployments can share one Redis. */
  prefix: string;
  timeoutMs: number;
  /** Each call's outcome and duration, for /metrics. */
  observe?: (op: string, seconds: number, ok: boolean) => void;
}

export class SharedRedis {
  readonly client: Redis;
  readonly prefix: string;

  constructor(private readonly options: SharedRedisOptions) {
    this.prefix = options.prefix;
    this.client = new Redis(options.url, {
      keyPrefix: options.prefix,
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(1_000, options.timeoutMs * 4),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Back off up to two seconds between attempts, forever: Redis returning is noticed by itself.
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    });
    // Failures reach the callers of each command, which fall back and say so once; the client's own
    // error events would otherwise be unhandled.
    this.client.on('error', () => undefined);
  }

  /** Connected and answering. */
  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /** Resolves once connected, or after `ms` (Redis away at start is not a reason not to start). */
  connected(ms: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.client.once('ready', done);
    });
  }

  /** A call to Redis, timed and counted under `op`. */
  async call<T>(op: string, run: (client: Redis) => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const out = await run(this.client);
      this.options.observe?.(op, (performance.now() - started) / 1000, true);
      return out;
    } catch (err) {
      this.options.observe?.(op, (performance.now() - started) / 1000, false);
      throw err;
    }
  }

  /** A second connection on the same server, for subscriptions (a subscribed connection runs no other command). */
  subscriber(): Redis {
    const sub = this.client.duplicate({ keyPrefix: undefined as unknown as string, enableOfflineQueue: true });
    sub.on('error', () => undefined);
    return sub;
  }

  /** The round trip to Redis, in ms, or undefined when it does not answer. */
  async ping(): Promise<number | undefined> {
    const started = performance.now();
    try {
      await this.call('ping', (c) => c.ping());
      return performance.now() - started;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
