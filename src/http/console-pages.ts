/**
 * The web console's files (built by Vite into dist/web): the page at `/` and its hashed assets under
 * `/assets/`. Only files that exist when the server starts are served; every other path stays the
 * API's JSON 404. The page is never cached and may not be framed; the assets are immutable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** No inline scripts or styles, nothing from elsewhere, no framing. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // A new build must reach browsers at once: the page names the assets by hash.
  'cache-control': 'no-store',
};

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Cerebro</title>
<p>The web console is not built. Run <code>npm run build</code> (<code>npm start</code> does it), then reload.
The API is at <a href="/docs">/docs</a>.</p></html>`;

export function consolePages(app: FastifyInstance, dir: string | undefined): void {
  const indexFile = dir === undefined ? undefined : join(dir, 'index.html');
  if (dir === undefined || indexFile === undefined || !existsSync(indexFile)) {
    app.get('/', async (_request, reply) => reply.code(503).headers(PAGE_HEADERS).send(NOT_BUILT));
    return;
  }
  const page = readFileSync(indexFile);
  app.get('/', async (_request, reply) => reply.headers(PAGE_HEADERS).send(page));
  if (existsSync(join(dir, 'assets'))) {
    void app.register(fastifyStatic, {
      root: join(dir, 'assets'),
      prefix: '/assets/',
      // One route per file found now: any other path under /assets is the usual 404.
      wildcard: false,
      index: false,
      dotfiles: 'deny',
      cacheControl: true,
      immutable: true,
      maxAge: '365d',
      setHeaders: (res) => res.setHeader('x-content-type-options', 'nosniff'),
    });
  }
}
