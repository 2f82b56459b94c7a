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
  // Asynchronous writes: a request never waits on stdout, and lines written while one write is under
  // way leave together. pino flushes what is left when the process exits.
  return { ...base, stream: destination({ dest: 1, sync: false }) } as never;
}
