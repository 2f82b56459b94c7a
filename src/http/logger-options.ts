/**
 * The logger every entry point uses: pino JSON lines (one per request, with its request id), secrets
 * redacted wherever they might sit in a logged object, and a readable form for a developer's
 * terminal (pino-pretty, a development dependency: absent in production images, where JSON is what
 * log collectors want anyway).
 */
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';
import { destination } from 'pino';

export type LogFormat = 'json' | 'pretty' | 'auto';

/** Where credentials could appear in a logged object: headers, bodies, errors, configs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-goog-api-key"]',
  '*.apiKey',
  '*.api_key',
  '*.password',
  '*.token',
  '*.secret',
  '*.key',
  'apiKey',
  'password',
  'token',
];

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function loggerOptions(level: string, format: LogFormat = 'auto', stream?: NodeJS.WritableStream): NonNullable<FastifyServerOptions['logger']> {
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true && process.env.NODE_ENV !== 'production');
  const base = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (stream) return { ...base, stream } as never;
  if (pretty && prettyAvailable()) return { ...base, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } };
  // Asynchronous writes: a request never waits on stdout, and lines written while one write is under
  // way leave together. pino flushes what is left when the process exits.
  return { ...base, stream: destination({ dest: 1, sync: false }) } as never;
}
