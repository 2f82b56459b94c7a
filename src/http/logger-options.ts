/**
 * The logger every entry point uses: pino JSON lines (one per request, with its request id), secrets
 * censored wherever they sit in a logged object, and a readable form for a developer's
 * terminal (pino-pretty, a development dependency: absent in production images, where JSON is what
 * log collectors want anyway).
 */
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';
import { destination, type DestinationStream } from 'pino';
import { redactSecrets } from './log-redaction.js';

export type LogFormat = 'json' | 'pretty' | 'auto';

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function loggerOptions(level: string, format: LogFormat = 'auto', stream?: DestinationStream): NonNullable<FastifyServerOptions['logger']> {
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true && process.env.NODE_ENV !== 'production');
  // Secrets are censored by key name at any depth in what each line logs (log-redaction.ts says why
  // not pino's `redact`). Serializers run after this, on censored objects; Fastify's own (req, res)
  // write no headers. Child loggers' bindings are not formatted by pino: the only child logger is
  // Fastify's per-request one, bound to the request id, so bind nothing secret to a child.
  const base = { level, formatters: { log: redactSecrets } };
  if (stream) return { ...base, stream } as never;
  if (pretty && prettyAvailable()) return { ...base, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } };
  return { ...base, stream: logDestination(1) } as never;
}

/** Bytes of log lines gathered before they are written. */
const LOG_BUFFER_BYTES = 4096;
/** The longest a line waits in that buffer: what someone tailing the log could notice. */
const LOG_FLUSH_MS = 250;

/**
 * Where the JSON lines go (stdout in production; the bench's file): asynchronous writes, so a
 * request never waits on the log, gathered up to 4 KiB per write and written every 250 ms (a little
 * later when a write is still under way). One write per line cost a round trip through libuv's
 * thread pool for each request: about 0.03 ms of CPU per request at concurrency 1 (BENCHMARKS.md).
 * pino writes what is left when the process exits, also after an uncaught exception; a SIGKILL, an
 * out-of-memory abort or a signal without a handler loses the lines still gathered (at most 4 KiB).
 */
export function logDestination(dest: number | string): ReturnType<typeof destination> {
  return destination({ dest, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS });
}
