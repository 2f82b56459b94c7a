/**
 * Worker thread that writes request-log batches to SQLite on its own connection, so the event
 * loop that serves requests never waits on an INSERT or a WAL checkpoint.
 * Protocol: {id, rows} → {id, written, error?, code?}; {id, close: true} → closes and answers.
 *
 * A batch is written in slices of a few rows, one transaction each, with a short sleep between:
 * Linux's scheduler lets a running thread finish its time slice before a waking one runs, so one
 * long transaction delayed the request that woke meanwhile (the slice size is measured in BENCHMARKS.md).
 */
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { sqliteLogInserter } from './sqlite-log-insert.js';
import type { RequestLogRow } from './request-log-writer.js';

/** Rows per transaction: about 0.2 ms of work at 12–14 µs a row. */
const SLICE_ROWS = 16;
/** The sleep between slices: long enough for the scheduler to run what is waiting. */
const NAP_MS = 0.1;

const { path } = workerData as { path: string };
const sqlite = new SQLite(path);
sqlite.pragma('busy_timeout = 5000');
sqlite.pragma('synchronous = NORMAL');
const insert = sqliteLogInserter(sqlite);
const nap = new Int32Array(new SharedArrayBuffer(4));

/** What the worker answers for a batch: how many rows it stored, and why it stopped if it did. */
interface Outcome {
  written: number;
  error?: string;
  /** SQLite's error code (SQLITE_CONSTRAINT_PRIMARYKEY…), so a refused row can be told from a failing database. */
  code?: string;
}

/** Writes the rows slice by slice, and says how many were stored. */
async function writeInSlices(rows: readonly RequestLogRow[]): Promise<Outcome> {
  let written = 0;
  try {
    for (; written < rows.length; written += Math.min(SLICE_ROWS, rows.length - written)) {
      // A real sleep (not setImmediate, which keeps the thread running): the core is given back.
      if (written > 0) Atomics.wait(nap, 0, 0, NAP_MS);
      await insert(rows.slice(written, written + SLICE_ROWS));
    }
    return { written };
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    return { written, error: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) };
  }
}

parentPort!.on('message', (message: { id: number; rows?: RequestLogRow[]; close?: boolean }) => {
  if (message.close) {
    sqlite.close();
    parentPort!.postMessage({ id: message.id, written: 0 });
    return;
  }
  void writeInSlices(message.rows ?? []).then((outcome) => parentPort!.postMessage({ id: message.id, ...outcome }));
});
