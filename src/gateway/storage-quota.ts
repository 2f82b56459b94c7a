/**
 * The most a user may store (USER_STORAGE_LIMIT_BYTES): a request that would store more in session
 * memory is refused before any provider is called. The database counts what is stored; this reads
 * it every few seconds, adds what was stored here since, and holds what requests in flight will
 * store, so concurrent requests cannot all pass a check that only saw finished ones.
 */
import type { UserStorageRepository } from '../store/user-storage-repository.js';
import { GatewayError } from '../core/errors.js';

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

  /**
   * Holds what a request is about to store: `bytes` it will store for sure (the caller's turns),
   * which must fit, and up to `expected` more (its answer, not known yet) as far as the quota goes.
   * Past the quota, a 429 saying the limit and the use.
   */
  async hold(userId: string, bytes: number, expected = 0): Promise<StorageHold> {
    const { limitBytes } = this.options;
    if (limitBytes === 0) return NO_HOLD;
    const usage = await this.fresh(userId);
    const used = usage.stored + usage.since;
    const free = limitBytes - used - usage.held;
    if (bytes > free) throw quotaExceeded(limitBytes, used, bytes);
    const held = bytes + Math.min(expected, free - bytes);
    usage.held += held;
    let settled = false;
    return {
      settle: (storedBytes) => {
        if (settled) return;
        settled = true;
        usage.held -= held;
        usage.since += storedBytes;
      },
    };
  }

  /** After the user deleted sessions (or their account): read the count again on the next request. */
  forget(userId: string): void {
    const usage = this.usage.get(userId);
    if (usage) usage.readAt = -Infinity;
  }

  private async fresh(userId: string): Promise<Usage> {
    let usage = this.usage.get(userId);
    if (!usage) {
      // Bounded: users with nothing in flight are forgotten first (their count is read again when needed).
      if (this.usage.size >= 100_000) for (const [id, u] of this.usage) if (u.held === 0) this.usage.delete(id);
      usage = { stored: 0, since: 0, held: 0, readAt: -Infinity };
      this.usage.set(userId, usage);
    }
    if (this.options.now() - usage.readAt > this.options.refreshMs) {
      const entry = usage;
      // Writes made while the count is read may or may not be in it: they are kept (counted twice
      // at worst, for one refresh), never dropped.
      const sinceBefore = entry.since;
      entry.loading ??= this.repo
        .bytes(userId)
        .then(
          (stored) => {
            entry.stored = stored;
            entry.since -= sinceBefore;
            entry.readAt = this.options.now();
          },
          // Unreadable: what this instance has seen stands (a database hiccup refuses nobody).
          (err: unknown) => this.options.onError(err),
        )
        .finally(() => {
          entry.loading = undefined;
        });
      await entry.loading;
    }
    return usage;
  }
}

/** UTF-8 bytes of the text a request would store. */
export const storedBytes = (texts: readonly string[]) => texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);

const readable = (bytes: number) => (bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} bytes`);

const quotaExceeded = (limit: number, used: number, wanted: number) =>
  new GatewayError({
    status: 429,
    type: 'insufficient_quota',
    code: 'storage_quota_exceeded',
    param: 'session_id',
    message: `Storage limit reached: you store ${readable(used)} of ${readable(limit)} in session memory (${used} of ${limit} bytes), and this request would add ${wanted} bytes. Delete sessions you no longer need (DELETE /v1/sessions/{session_id}), or send the request without a session_id.`,
  });
