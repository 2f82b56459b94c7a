/** The console's files: the page's security and cache headers, immutable assets, nothing else served. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import { consolePages } from '../../src/http/console-pages.js';

describe('the console pages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cerebro-console-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/index-AbC123.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
  writeFileSync(join(dir, '.env'), 'SECRET=1');

  it('serves the page with a strict CSP, no framing and no caching', async () => {
    const app = Fastify();
    consolePages(app, dir);
    const res = await app.inject({ url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    const csp = res.headers['content-security-policy'] as string;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.ok(!csp.includes('unsafe-inline'));
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['cache-control'], 'no-store');
    await app.close();
  });

  it('serves hashed assets as immutable, and nothing outside them', async () => {
    const app = Fastify();
    consolePages(app, dir);
    const asset = await app.inject({ url: '/assets/index-AbC123.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(asset.headers['cache-control'] as string, /immutable/);
    assert.match(asset.headers['cache-control'] as string, /max-age=31536000/);
    for (const url of ['/assets/missing.js', '/assets/../index.html', '/assets/%2e%2e/.env', '/.env', '/index.html/../.env']) {
      assert.equal((await app.inject({ url })).statusCode, 404, url);
    }
    await app.close();
  });

  it('says how to build the console when it is not built', async () => {
    const app = Fastify();
    consolePages(app, join(dir, 'nowhere'));
    const res = await app.inject({ url: '/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build/);
    await app.close();
  });
});
