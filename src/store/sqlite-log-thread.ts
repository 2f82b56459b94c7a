/** The main thread's side of sqlite-log-worker: batches go out, acknowledgements come back. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InsertRequestLogs } from './request-log-insert.js';
import { PartialInsertError } from './request-log-writer.js';

export interface SqliteLogThread {
  insert: InsertRequestLogs;
  close(): Promise<void>;
}

/**
 * The compiled worker beside this file; when running from TypeScript sources (the tests), a
 * bootstrap that registers tsx in the worker first, since loaders do not follow workers on Node 20.
 */
function spawnWorker(path: string): Worker {
  const js = new URL('./sqlite-log-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: { path } });
  const ts = new URL('./sqlite-log-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: { path } });
}

export function startSqliteLogThread(path: string): SqliteLogThread {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve(): void; reject(err: Error): void }>();
  const failAll = (err: Error) => {
    for (const waiter of pending.values()) waiter.reject(err);
    pending.clear();
  };

  /** The running worker, or a new one if the last one died (its batches were rejected, so kept). */
  function current(): Worker {
    if (worker) return worker;
    const w = spawnWorker(path);
    w.on('message', (message: { id: number; written: number; error?: string; code?: string }) => {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (typeof message.error !== 'string') waiter?.resolve();
      else {
        // The worker writes a batch in several transactions: the ones before the failure are stored.
        // SQLite's error code travels along, so a refused row can be told from a failing database.
        const err = message.written > 0 ? new PartialInsertError(message.error, message.written) : new Error(message.error);
        waiter?.reject(Object.assign(err, { code: message.code }));
      }
      // An idle log thread must not keep the process alive.
      if (pending.size === 0) w.unref();
    });
    w.on('error', failAll);
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      failAll(new Error(`the request log thread exited (${code})`));
    });
    worker = w;
    return w;
  }

  const call = (message: Record<string, unknown>) =>
    new Promise<void>((resolve, reject) => {
      const w = current();
      const id = nextId++;
      pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ id, ...message });
    });

  return {
    insert: (rows) => call({ rows }),
    async close() {
      if (!worker) return;
      const w = worker;
      await call({ close: true });
      worker = undefined;
      await w.terminate();
    },
  };
}
