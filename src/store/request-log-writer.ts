/**
 * Request logs, written in batches off the request path: a row is queued in memory once the tick
 * that recorded it is done, and flushed with others every `flushIntervalMs` or `batchSize` rows (one insert call per batch; the SQLite
 * log thread commits it in slices). `close()` flushes what is left, so a clean shutdown loses
 * nothing; a failed flush keeps its rows for the next one.
 */
import type { Insertable } from 'kysely';
import type { InsertRequestLogs } from './request-log-insert.js';
import type { RequestLogsTable } from './schema.js';

export type RequestLogRow = Insertable<RequestLogsTable>;

/**
 * A batch an inserter wrote only in part: its first `written` rows are stored (committed), the
 * rest not. Inserters that write a batch in several transactions say so, so that the retry does
 * not count those rows as refused.
 */
export class PartialInsertError extends Error {
  constructor(
    message: string,
    readonly written: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PartialInsertError';
  }
}

/**
 * Whether the database refused a row for what it holds (a constraint: a duplicate id, a missing
 * value) rather than failing: SQLite's SQLITE_CONSTRAINT* codes, Postgres's class 23.
 */
export function isRowRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // Postgres classes 22 (a value it cannot hold: a NUL, bad encoding, out of range) and 23 (a constraint).
  return typeof code === 'string' && (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_TOOBIG' || code === 'SQLITE_MISMATCH' || /^2[23][0-9A-Z]{3}$/.test(code));
}

/** Flushes a row may fail while others of its batch go through before it is dropped as refused (an error nobody classified). */
const MAX_STRIKES = 3;

/** A row, with its attempts as objects when the caller has them (the row holds them as JSON text). */
export interface RecordedRow {
  row: RequestLogRow;
  attempts?: readonly LoggedAttempt[] | undefined;
}

/** One upstream attempt as the row's `attempts` column lists them. */
export interface LoggedAttempt {
  provider: string;
  model: string;
  status: string;
  http_status?: number;
  latency_ms: number;
}

export interface LogWriterOptions {
  flushIntervalMs: number;
  batchSize: number;
  /** Rows kept while the database is failing, before the oldest are dropped (and counted). */
  maxQueued: number;
  onError: (err: unknown) => void;
}

export class RequestLogWriter {
  private queue: RequestLogRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** Rows still to be made and recorded once the current tick is done (`recordAfterThisTick`). */
  private arriving: Array<() => RecordedRow> = [];
  private arrival: NodeJS.Immediate | undefined;
  private closed = false;
  /** close() is still writing: rows recorded meanwhile are taken in, not dropped. */
  private closing = false;
  /** Rows dropped because the database was unreachable for too long. */
  dropped = 0;
  /** How many flushes each kept row failed while others went through (see MAX_STRIKES). */
  private readonly strikes = new WeakMap<RequestLogRow, number>();
  /** Deleted accounts (most recent last, bounded): their rows are kept anonymised, as the deletion left the written ones. */
  private readonly gone = new Set<string>();

  /** Rows dropped because the database refused them one by one (a constraint, a bad value). */
  rejected = 0;

  /**
   * Told of every row as it is recorded (the metrics count requests, tokens and costs from them),
   * with the row's attempts as objects when the caller has them (the row holds them as JSON text).
   */
  private readonly listeners: Array<(row: RequestLogRow, attempts?: readonly LoggedAttempt[]) => void> = [];

  onRecord(listener: (row: RequestLogRow, attempts?: readonly LoggedAttempt[]) => void): void {
    this.listeners.push(listener);
  }

  /** Told after each batch the database took (all of it, or all but rows it refused for what they hold). */
  onWritten: (() => void) | undefined;
  /** Told when a batch could not be written for the database's sake (its rows wait for the next flush). */
  onFailed: (() => void) | undefined;

  constructor(
    private readonly insert: InsertRequestLogs,
    private readonly options: LogWriterOptions,
  ) {}

  /**
   * Records a row once the current tick is done. The row usually describes an answer written in
   * this same tick, and queueing it, telling the listeners (the metrics) and handing a full batch to
   * the log thread (about 0.1 ms for 64 rows) would delay that answer. Nothing waits to be lost:
   * `flush()`, `close()` and `pending` take arriving rows in first.
   */
  record(row: RequestLogRow, attempts?: readonly LoggedAttempt[]): void {
    this.recordAfterThisTick(() => ({ row, attempts }));
  }

  /** Like `record`, with the row itself made after the tick too; a `make` that throws is reported and its row is lost. */
  recordAfterThisTick(make: () => RecordedRow): void {
    if (this.closed && !this.closing) {
      // Nothing would ever write it: counted and said, not kept quietly.
      this.dropped++;
      this.options.onError(new Error('a request log row was recorded after the log writer closed; dropped'));
      return;
    }
    this.arriving.push(make);
    this.arrival ??= setImmediate(() => {
      this.admitArrivals();
      if (this.queue.length >= this.options.batchSize) void this.flush();
      else this.schedule();
    });
  }

  /**
   * An account is being deleted: its rows still to be written, and any recorded later by its requests
   * in flight, lose their owner, key and session, as the deletion does to the written ones.
   */
  anonymise(userId: string): void {
    if (this.gone.size >= 10_000) this.gone.delete(this.gone.values().next().value!);
    this.gone.add(userId);
    for (const row of this.queue) if (row.user_id === userId) anonymise(row);
  }

  /** Makes the arriving rows and queues them, telling the listeners. */
  private admitArrivals(): void {
    if (this.arrival) {
      clearImmediate(this.arrival);
      this.arrival = undefined;
    }
    const arriving = this.arriving;
    if (arriving.length === 0) return;
    this.arriving = [];
    for (const make of arriving) {
      let made: RecordedRow;
      try {
        made = make();
      } catch (err) {
        this.options.onError(err);
        continue;
      }
      if (this.gone.size > 0 && this.gone.has(made.row.user_id)) anonymise(made.row);
      withoutNul(made.row);
      this.queue.push(made.row);
      // A listener's failure (metrics) must never cost the row or the request.
      for (const listener of this.listeners) {
        try {
          listener(made.row, made.attempts);
        } catch (err) {
          this.options.onError(err);
        }
      }
    }
    if (this.queue.length > this.options.maxQueued) {
      const before = this.dropped;
      this.dropped += this.queue.length - this.options.maxQueued;
      this.queue.splice(0, this.queue.length - this.options.maxQueued);
      // Said at the first loss and every 1,000 after, not at every row.
      if (before === 0 || Math.floor(before / 1000) !== Math.floor(this.dropped / 1000)) {
        this.options.onError(new Error(`${this.dropped} request log row(s) dropped so far: more than ${this.options.maxQueued} were waiting for the database`));
      }
    }
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  get pending(): number {
    return this.queue.length + this.arriving.length;
  }

  /** Writes everything queued so far. */
  async flush(): Promise<void> {
    this.admitArrivals();
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // One flush at a time: a second caller waits for the running one, then writes what came since.
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.writeBatch(batch)
      .then(() => this.onWritten?.())
      .catch((err: unknown) => {
        // Rows already stored are not queued again: retried, they would be refused as duplicates.
        const unwritten = err instanceof RowsToRetry ? err.rows : err instanceof PartialInsertError ? batch.slice(err.written) : batch;
        // A deletion that ran while these were being written anonymised the queue, not them.
        if (this.gone.size > 0) for (const row of unwritten) if (this.gone.has(row.user_id)) anonymise(row);
        this.queue = unwritten.concat(this.queue);
        if (err instanceof RowsToRetry && err.anyWritten) this.onWritten?.();
        else this.onFailed?.();
        this.options.onError(err instanceof RowsToRetry ? (err.cause ?? err) : err);
        this.schedule();
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  /**
   * Flushes the rest for good. Retries a failing database a few times; if rows still cannot be
   * written, says so (rejects) rather than pretending they were.
   */
  async close(retries = 3, retryDelayMs = 200): Promise<void> {
    this.closed = true;
    this.closing = true;
    try {
      for (let attempt = 0; ; attempt++) {
        await this.flush();
        // `pending`, not the queue: a row may have arrived while the last batch was being written.
        if (this.pending === 0) return;
        if (attempt >= retries) throw new Error(`${this.pending} request log rows could not be written at shutdown`);
        await new Promise((r) => setTimeout(r, retryDelayMs));
      }
    } finally {
      this.closing = false;
    }
  }

  /**
   * One insert for the batch. If it fails, the rows it did not store are tried one by one: a row the database
   * refuses is dropped and counted, so one bad row cannot hold back every other; if none goes
   * through, the database itself is failing and the whole batch is kept for later.
   */
  private async writeBatch(batch: RequestLogRow[]): Promise<void> {
    // Rows the inserter stored before failing (a batch written in several transactions).
    let stored = 0;
    let batchError: unknown;
    try {
      await this.insert(batch);
      return;
    } catch (err) {
      batchError = err;
      if (err instanceof PartialInsertError) stored = Math.max(0, Math.min(batch.length, err.written));
    }
    const rest = batch.slice(stored);
    const kept: RequestLogRow[] = [];
    const refused: RequestLogRow[] = [];
    let lastError: unknown = batchError;
    let written = stored;
    // A single row left has had its verdict already; more are tried one by one. Each row's own error
    // decides: refused for what it holds it is dropped; anything else keeps it for the next flush. The
    // first error that is not a row's (the database failing) keeps the rest untried: each try would wait
    // out a connection timeout during a network cut.
    let untried: RequestLogRow[] = [];
    if (rest.length === 1) (isRowRefusal(batchError) ? refused : kept).push(rest[0]!);
    else {
      for (let i = 0; i < rest.length; i++) {
        const row = rest[i]!;
        try {
          await this.insert([row]);
          written++;
        } catch (err) {
          lastError = err;
          if (isRowRefusal(err)) {
            refused.push(row);
            continue;
          }
          kept.push(row);
          // Two rows in a row failing, none written: the database is failing, not the rows.
          if (written === 0 && kept.length >= 2) {
            untried = rest.slice(i + 1);
            break;
          }
        }
      }
    }
    // A row that keeps failing while others go through is the row's fault, whatever its error says.
    if (written > 0) {
      for (let i = kept.length - 1; i >= 0; i--) {
        const strikes = (this.strikes.get(kept[i]!) ?? 0) + 1;
        this.strikes.set(kept[i]!, strikes);
        if (strikes >= MAX_STRIKES) refused.push(...kept.splice(i, 1));
      }
    }
    if (refused.length > 0) {
      this.rejected += refused.length;
      this.options.onError(new Error(`dropped ${refused.length} request log row(s) the database refused: ${lastError instanceof Error ? lastError.message : String(lastError)}`));
    }
    // Rows not tried go first next time, so rows that failed cannot hold the others back.
    if (kept.length + untried.length > 0) throw new RowsToRetry([...untried, ...kept], lastError, written > 0);
  }
}

/** Rows a flush could not write for a reason not their own: queued again, and only they. */
class RowsToRetry extends Error {
  constructor(
    readonly rows: RequestLogRow[],
    cause: unknown,
    /** Whether other rows of the batch went through: then the database takes writes. */
    readonly anyWritten: boolean,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'RowsToRetry';
  }
}

/** Whose request logs are those of deleted accounts. */
export const DELETED_USER_ID = 'deleted';

function anonymise(row: RequestLogRow): void {
  row.user_id = DELETED_USER_ID;
  row.gateway_key_id = null;
  row.session_id = null;
}

/** Postgres text cannot hold U+0000, and an upstream's error text may carry one: the row keeps the rest. */
function withoutNul(row: RequestLogRow): void {
  for (const key of ['error', 'model_requested', 'model_used', 'session_id', 'attempts'] as const) {
    const value = row[key];
    if (typeof value === 'string' && value.includes('\u0000')) (row as unknown as Record<string, string>)[key] = value.replaceAll('\u0000', '\uFFFD');
  }
}
