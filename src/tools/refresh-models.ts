/**
 * `npm run models:refresh`: updates the model catalog (CEREBRO_MODELS_FILE) from OpenRouter's models
 * API, when OPENROUTER_API_KEY is set. Prints what changed; `--dry-run` writes nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isMainModule } from '../is-main.js';
import { request } from 'undici';
import { loadConfig } from '../config.js';
import { parseCatalog } from '../routing/model-catalog.js';
import { formatCatalog, openRouterModelsSchema, refreshFromOpenRouter } from '../routing/openrouter-models.js';

export async function refreshModels(env: Record<string, string | undefined>, options: { dryRun: boolean; log: (line: string) => void }): Promise<string[]> {
  const config = loadConfig(env);
  const credentials = config.providers.openrouter;
  if (!credentials) throw new Error('OPENROUTER_API_KEY is not set: nothing to refresh from (the catalog file is unchanged)');
  const res = await request(`${credentials.baseUrl.replace(/\/+$/, '')}/models`, { headers: { authorization: `Bearer ${credentials.apiKey}` }, headersTimeout: 15_000, bodyTimeout: 30_000 });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`OpenRouter answered HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  const listed = openRouterModelsSchema.parse(JSON.parse(text)).data;
  const file = JSON.parse(readFileSync(config.modelsFile, 'utf8'));
  const { file: next, changes } = refreshFromOpenRouter(file, listed);
  const output = formatCatalog(next);
  parseCatalog(JSON.parse(output), config.modelsFile); // never write a catalog the gateway would refuse
  for (const change of changes) options.log(change);
  options.log(
    changes.length === 0
      ? `${config.modelsFile} is up to date (${listed.length} models listed by OpenRouter)`
      : `${changes.length} change(s)${options.dryRun ? ' (dry run: not written)' : ` written to ${config.modelsFile}`}`,
  );
  if (!options.dryRun && changes.length > 0) writeFileSync(config.modelsFile, output);
  return changes;
}

if (isMainModule(import.meta.url)) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  refreshModels(process.env, { dryRun: process.argv.includes('--dry-run'), log: (l) => process.stdout.write(`${l}\n`) }).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
}
