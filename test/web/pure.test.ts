/** The console's pure parts: its routes from the URL hash, and money as a person reads it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hrefOf, parseHash } from '../../web/src/hash-routes.js';
import { formatUsd, formatUsdTick } from '../../web/src/format.js';
import { en } from '../../web/src/locales/en.js';
import { es } from '../../web/src/locales/es.js';

describe('the console, pure parts', () => {
  it('reads pages and their parameter from the hash, and writes them back', () => {
    assert.deepEqual(parseHash(''), { page: 'overview', param: undefined });
    assert.deepEqual(parseHash('#/logs'), { page: 'logs', param: undefined });
    assert.deepEqual(parseHash('#/logs/chatcmpl-1'), { page: 'logs', param: 'chatcmpl-1' });
    assert.deepEqual(parseHash('#/nowhere/x'), { page: 'overview', param: 'x' });
    assert.deepEqual(parseHash('#/sessions/a%2Fb'), { page: 'sessions', param: 'a/b' });
    assert.deepEqual(parseHash('#/logs/%'), { page: 'logs', param: '%' }, 'a malformed escape is taken as written');
    assert.deepEqual(parseHash(hrefOf('sessions', 'trip:día 1')), { page: 'sessions', param: 'trip:día 1' });
  });

  it("shows a request's fraction of a cent, and sums in cents", () => {
    assert.equal(formatUsd('en-US', 0), '$0.00');
    assert.equal(formatUsd('en-US', 0.000042), '$0.000042');
    assert.equal(formatUsd('en-US', 0.25), '$0.2500');
    assert.equal(formatUsd('en-US', 12.5), '$12.50');
    assert.equal(formatUsdTick('en-US', 0.8), '$0.8');
    assert.match(formatUsd('es-ES', 12.5), /12,50/);
  });

  it('has every string in both languages, none left empty or untranslated by mistake', () => {
    assert.deepEqual(Object.keys(es).sort(), Object.keys(en).sort());
    for (const [key, text] of Object.entries(es)) assert.ok(text.trim() !== '', key);
    // Identical strings must be ones both languages share (names, codes, symbols).
    const same = Object.keys(en).filter((k) => es[k as keyof typeof es] === en[k as keyof typeof en]);
    assert.deepEqual(
      same.sort(),
      [
        'cache.miss',
        'col.plan',
        'common.no',
        'common.none',
        'detail.error',
        'nav.playground',
        'playground.title',
        'priority.normal',
        'stat.tokens',
        'status.error',
        'status.ok',
        'value.normal',
        'value.simple',
      ].sort(),
    );
  });
});
