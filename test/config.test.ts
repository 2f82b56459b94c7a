import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('runs with no configuration at all, on the documented defaults', () => {
    const c = loadConfig({});
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.port, 8000);
    assert.equal(c.databaseUrl, 'sqlite:./data/cerebro.db');
    assert.equal(c.apiToken, undefined);
    assert.deepEqual(c.providers, {});
    assert.equal(c.memoryMessages, 20);
    assert.equal(c.baseUrls.openrouter, 'https://openrouter.ai/api/v1');
    assert.equal(c.baseUrls.openai, 'https://api.openai.com/v1');
    assert.equal(c.baseUrls.anthropic, 'https://api.anthropic.com');
    assert.equal(c.baseUrls.gemini, 'https://generativelanguage.googleapis.com');
  });

  it('configures a provider only when its key is set, with its base URL override', () => {
    const c = loadConfig({ GEMINI_API_KEY: 'g', GEMINI_BASE_URL: 'http://127.0.0.1:9/gemini', OPENAI_API_KEY: '  ' });
    assert.deepEqual(c.providers, { gemini: { apiKey: 'g', baseUrl: 'http://127.0.0.1:9/gemini' } });
  });

  it('reads cascade overrides as comma-separated lists', () => {
    const c = loadConfig({ CASCADE_FREE_MODELS: 'a/b:free, c/d:free', CASCADE_PRIORITY_MODELS: 'claude-opus-4-1' });
    assert.deepEqual(c.cascadeOverrides, { free: ['a/b:free', 'c/d:free'], priority: ['claude-opus-4-1'] });
  });

  it('reports every mistake at once, by variable name', () => {
    try {
      loadConfig({ PORT: 'eighty', CEREBRO_API_TOKEN: 'short', DATABASE_URL: 'mysql://x', OPENAI_BASE_URL: 'not a url', CEREBRO_MEMORY_MESSAGES: '-1' });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      for (const name of ['PORT', 'CEREBRO_API_TOKEN', 'DATABASE_URL', 'OPENAI_BASE_URL', 'CEREBRO_MEMORY_MESSAGES']) assert.match(text, new RegExp(name));
    }
  });

  it('refuses a total timeout shorter than the first-byte timeout', () => {
    assert.throws(() => loadConfig({ UPSTREAM_TOTAL_TIMEOUT_MS: '1000', UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '2000' }), ConfigError);
  });

  it('reads TRUST_PROXY as Fastify takes it: a flag, a hop count, or addresses and CIDR ranges', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1, ::1/128' }).trustProxy, ['10.0.0.0/8', '127.0.0.1', '::1/128']);
    for (const bad of ['yes please', '10.0.0.0/33', '300.1.1.1', '10.0.0.0/8/1']) assert.throws(() => loadConfig({ TRUST_PROXY: bad }), /TRUST_PROXY/, bad);
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    assert.throws(() => loadConfig({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '2000' }), /HEADERS_TIMEOUT_MS/);
  });

  it('is documented: every variable it reads is in .env.example and in the README', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8');
    const names = [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    assert.ok(names.length > 40);
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    assert.deepEqual(
      names.filter((n) => !new RegExp(`^#? ?${n}=`, 'm').test(example)),
      [],
      'missing from .env.example',
    );
    assert.deepEqual(
      names.filter((n) => !readme.includes(`\`${n}\``)),
      [],
      'missing from the README',
    );
  });
});
