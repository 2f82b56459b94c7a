import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { parseCatalog } from '../../src/routing/model-catalog.js';
import { refreshFromOpenRouter } from '../../src/routing/openrouter-models.js';
import { refreshModels } from '../../src/tools/refresh-models.js';

describe('refreshing the catalog from OpenRouter', () => {
  it('updates prices and limits, adds new free models and drops retired ones from the free cascade (pure)', () => {
    const file = {
      cascade: { free: ['openrouter/free', 'a/kept:free', 'b/retired:free'], fallback: [], priority: [] },
      models: [
        { id: 'a/kept:free', provider: 'openrouter', input_per_mtok: 0, output_per_mtok: 0, context_window: 1000, max_output: 100, free: true },
        { id: 'b/retired:free', provider: 'openrouter', input_per_mtok: 0, output_per_mtok: 0, context_window: 1000, max_output: 100, free: true },
        { id: 'c/paid', provider: 'openrouter', input_per_mtok: 1, output_per_mtok: 2, context_window: 1000, max_output: 100, free: false },
        { id: 'gemini-2.5-flash', provider: 'gemini', input_per_mtok: 0.3, output_per_mtok: 2.5, context_window: 1, max_output: 1, free: false },
      ],
    };
    const { file: next, changes } = refreshFromOpenRouter(file, [
      { id: 'a/kept:free', context_length: 2000, pricing: { prompt: '0', completion: '0' }, top_provider: { context_length: 2000, max_completion_tokens: 500 } },
      { id: 'c/paid', pricing: { prompt: '0.0000025', completion: '0.00001', input_cache_read: '0.00000025', input_cache_write: '0.000003125', input_cache_write_1h: '0.000005' } },
      { id: 'd/new:free', context_length: 32000, pricing: { prompt: '0', completion: '0' }, supported_parameters: ['tools'] },
    ]);
    assert.deepEqual(next.cascade.free, ['openrouter/free', 'a/kept:free']);
    const byId = new Map(next.models.map((m) => [m.id, m]));
    assert.equal(byId.get('a/kept:free')?.context_window, 2000);
    assert.equal(byId.get('a/kept:free')?.max_output, 500);
    assert.equal(byId.get('c/paid')?.input_per_mtok, 2.5);
    assert.equal(byId.get('c/paid')?.output_per_mtok, 10);
    assert.equal(byId.get('c/paid')?.cache_read_per_mtok, 0.25, 'prompt-cache prices, where OpenRouter gives them');
    assert.equal(byId.get('c/paid')?.cache_write_per_mtok, 3.125);
    assert.equal(byId.get('c/paid')?.cache_write_1h_per_mtok, 5);
    assert.ok(changes.includes('c/paid: cache_read_per_mtok undefined → 0.25'));
    assert.equal(byId.get('gemini-2.5-flash')?.context_window, 1, 'direct providers are not touched');
    assert.equal(byId.get('d/new:free')?.free, true);
    assert.ok(changes.includes('added free model d/new:free'));
    assert.ok(changes.includes('removed retired b/retired:free from the free cascade'));
    assert.ok(!byId.has('b/retired:free'), 'and from the catalog, so the scoring router cannot pick it');
    parseCatalog(next, 'refreshed');
  });

  describe('the command, against the emulator', () => {
    let emulator: Emulator;
    let dir: string;
    before(async () => {
      emulator = await startEmulator();
      dir = mkdtempSync(join(tmpdir(), 'cerebro-models-'));
      copyFileSync('data/models.json', join(dir, 'models.json'));
    });
    after(async () => {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('needs a key, and writes a catalog the gateway accepts', async () => {
      const file = join(dir, 'models.json');
      const env = { CEREBRO_MODELS_FILE: file, OPENROUTER_BASE_URL: emulator.baseUrls.openrouter };
      await assert.rejects(refreshModels(env, { dryRun: false, log: () => undefined }), /OPENROUTER_API_KEY is not set/);
      const lines: string[] = [];
      const changes = await refreshModels({ ...env, OPENROUTER_API_KEY: 'sk-or-v1-test' }, { dryRun: false, log: (l) => lines.push(l) });
      assert.ok(changes.includes('added free model qwen/qwen3-coder:free'));
      assert.ok(changes.some((c) => c.startsWith('meta-llama/llama-3.3-70b-instruct:free: context_window')));
      assert.ok(changes.includes('removed retired openai/gpt-oss-20b:free from the free cascade'));
      const written = parseCatalog(JSON.parse(readFileSync(file, 'utf8')), file);
      assert.equal(written.get('qwen/qwen3-coder:free')?.context_window, 262144);
      assert.equal(emulator.requests.at(-1)?.headers.authorization, 'Bearer sk-or-v1-test');
      assert.deepEqual(await refreshModels({ ...env, OPENROUTER_API_KEY: 'sk-or-v1-test' }, { dryRun: true, log: () => undefined }), [], 'a second run finds nothing to change');
    });
  });
});
