/**
 * The most a user may store (USER_STORAGE_LIMIT_BYTES): a request that would store more in session
 * memory is refused before any provider is called. The database counts what is stored; this reads
 * it every few seconds, adds what was stored here since, and holds what requests in flight will
 * store, so concurrent requests cannot all pass a check that only saw finished ones.
 */
import type { UserStorageRepository } from '../store/user-storage-repository.js';
import { GatewayError } from './errors.js';

export interface StorageHold {
  /** The turns were stored (or not): the hold becomes what was written. Once. */
  settle(storedBytes: number): void;
}

export interface StorageQuotaOptions {
  /** Bytes per user; 0 turns the quota off. */
  limitBytes: number;
  refreshMs: number;
  now: () => number;
  onError: (err: unknown) => void;
}

interface Usage {
  /** What the database said at `readAt`. */
  stored: number;
  /** Written here since. */
  since: number;
  /** Held by requests in flight. */
  held: number;
  readAt: number;
  loading?: Promise<void> | undefined;
}

const NO_HOLD: StorageHold = { settle: () => undefined };

export class StorageQuota {
  private readonly usage = new Map<string, Usage>();

  constructor(
    private readonly repo: Pick<UserStorageRepository, 'bytes'>,
    private readonly options: StorageQuotaOptions,
  ) {}

  /** Holds `bytes` for a request about to store them, or refuses it with a 429 saying the limit and the use. */
  async hold(userId: string, bytes: number): Promise<StorageHold> {
    const { limitBytes } = this.options;
    if (limitBytes === 0) return NO_HOLD;
    const usage = await this.fresh(userId);
    const used = usage.stored + usage.since;
    if (used + usage.held + bytes > limitBytes) throw quotaExceeded(limitBytes, used, bytes);
    usage.held += bytes;
    let settled = false;
    return {
      settle: (storedBytes) => {
        if (settled) return;
        settled = true;
        usage.held -= bytes;
        usage.since += storedBytes;
      },
    };
  }

  /** After the user deleted sessions (or their account): read the count again on the next request. */
  forget(userId: string): void {
    this.usage.delete(userId);
  }

  private async fresh(userId: string): Promise<Usage> {
    let usage = this.usage.get(userId);
    if (!usage) {
      if (this.usage.size >= 100_000) this.usage.clear();
      usage = { stored: 0, since: 0, held: 0, readAt: -Infinity };
      this.usage.set(userId, usage);
    }
    if (this.options.now() - usage.readAt > this.options.refreshMs) {
      const entry = usage;
      entry.loading ??= this.repo.bytes(userId).then(
        (stored) => {
          entry.stored = stored;
          entry.since = 0;
          entry.readAt = this.options.now();
        },
        // Unreadable: what this instance has seen stands (a database hiccup refuses nobody).
        (err: unknown) => this.options.onError(err),
      ).finally(() => {
        entry.loading = undefined;
      });
      await entry.loading;
    }
    return usage;
  }
}

/** UTF-8 bytes of the text a request would store. */
export const storedBytes = (texts: readonly string[]) => texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

const quotaExceeded = (limit: number, used: number, wanted: number) =>
  new GatewayError({
    status: 429,
    type: 'insufficient_quota',
    code: 'storage_quota_exceeded',
    param: 'session_id',
    message: `Storage limit reached: you store ${used} bytes (${mib(used)}) of ${limit} (${mib(limit)}) in session memory, and this request would add ${wanted}. Delete sessions you no longer need (DELETE /v1/sessions/{session_id}), or send the request without a session_id.`,
  });
