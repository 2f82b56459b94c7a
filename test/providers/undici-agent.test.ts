/** The upstream transport loads undici's Agent alone, not the package's whole index. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Agent } from '../../src/providers/undici-agent.js';

describe('undici-agent', () => {
  it("is undici's own Agent class", async () => {
    const undici = await import('undici');
    assert.equal(Agent, undici.Agent);
  });

  it("a started gateway has not loaded undici's index (fetch, WebSocket, caches: about 9 MB it never uses)", () => {
    const createGateway = new URL('../../src/create-gateway.ts', import.meta.url).href;
    const loadConfig = new URL('../../src/config.ts', import.meta.url).href;
    const script = `
      import { createRequire } from 'node:module';
      import { mkdtempSync, rmSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const { createGateway } = await import(${JSON.stringify(createGateway)});
      const { loadConfig } = await import(${JSON.stringify(loadConfig)});
      const dir = mkdtempSync(join(tmpdir(), 'cerebro-undici-'));
      const gateway = await createGateway(loadConfig({ CEREBRO_API_TOKEN: 'cbr_test-token-0123456789', DATABASE_URL: 'sqlite:' + join(dir, 'db.sqlite'), OPENAI_API_KEY: 'sk-test' }));
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('/node_modules/undici/'));
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
      process.stdout.write(JSON.stringify(loaded));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 })) as string[];
    assert.ok(
      loaded.some((f) => f.endsWith('/lib/dispatcher/agent.js')),
      'the Agent is loaded',
    );
    assert.ok(!loaded.some((f) => f.endsWith('/node_modules/undici/index.js')), `undici's index was loaded: ${loaded.filter((f) => f.endsWith('index.js')).join(', ')}`);
  });
});
