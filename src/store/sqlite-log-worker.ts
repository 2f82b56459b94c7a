/**
 * Worker thread that writes request-log batches to SQLite on its own connection, so the event
 * loop that serves requests never waits on an INSERT or a WAL checkpoint.
 * Protocol: {id, rows} → {id, error?}; {id, close: true} → closes and answers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { sqliteLogInserter } from './sqlite-log-insert.js';
import type { RequestLogRow } from './request-log-writer.js';

const { path } = workerData as { path: string };
const sqlite = new SQLite(path);
sqlite.pragma('busy_timeout = 5000');
sqlite.pragma('synchronous = NORMAL');
const insert = sqliteLogInserter(sqlite);

parentPort!.on('message', (message: { id: number; rows?: RequestLogRow[]; close?: boolean }) => {
  if (message.close) {
    sqlite.close();
    parentPort!.postMessage({ id: message.id });
    return;
  }
  insert(message.rows ?? []).then(
    () => parentPort!.postMessage({ id: message.id }),
    (err: unknown) => parentPort!.postMessage({ id: message.id, error: (err as Error).message }),
  );
});
