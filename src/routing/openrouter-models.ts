/**
 * Refreshing the catalog from OpenRouter's models API (`GET /api/v1/models`): prices (prompt-cache
 * reads and writes included, where OpenRouter gives them), context
 * windows and output limits of the OpenRouter models the catalog lists, and the free list: free
 * models it does not list yet are added, and retired ones leave the free cascade. Pure: JSON in,
 * JSON and a list of changes out. Start-up never calls this.
 * @see https://openrouter.ai/docs/api-reference/list-available-models
 */
import { z } from 'zod';

const openRouterModelSchema = z.object({
  id: z.string(),
  context_length: z.number().nullish(),
  pricing: z.object({ prompt: z.string(), completion: z.string(), input_cache_read: z.string(), input_cache_write: z.string(), input_cache_write_1h: z.string() }).partial().optional(),
  top_provider: z.object({ max_completion_tokens: z.number().nullish(), context_length: z.number().nullish() }).partial().nullish(),
  supported_parameters: z.array(z.string()).nullish(),
  architecture: z
    .object({ input_modalities: z.array(z.string()).nullish() })
    .partial()
    .nullish(),
});

export const openRouterModelsSchema = z.object({ data: z.array(openRouterModelSchema) });
export type OpenRouterModel = z.infer<typeof openRouterModelSchema>;

/** The catalog file, as loosely as a refresh needs it (every other field is kept as it is). */
interface CatalogFile {
  cascade: { free: string[]; fallback: string[]; priority: string[] };
  models: Array<Record<string, unknown> & { id: string; provider: string }>;
  [key: string]: unknown;
}

/** USD per token (a decimal string) → USD per million tokens, rounded to the cent's hundredth. */
function perMillion(perToken: string | undefined): number | undefined {
  if (perToken === undefined) return undefined;
  const value = Number(perToken);
  return Number.isFinite(value) && value >= 0 ? Math.round(value * 1_000_000 * 10_000) / 10_000 : undefined;
}

const isFree = (m: OpenRouterModel) => m.id.endsWith(':free');

export function refreshFromOpenRouter(file: CatalogFile, listed: readonly OpenRouterModel[]): { file: CatalogFile; changes: string[] } {
  const changes: string[] = [];
  const byId = new Map(listed.map((m) => [m.id, m]));
  const models = file.models.map((entry) => {
    if (entry.provider !== 'openrouter') return entry;
    const live = byId.get(entry.id);
    if (!live) return entry;
    const next = { ...entry };
    const fields: Array<[string, number | undefined]> = [
      ['input_per_mtok', perMillion(live.pricing?.prompt)],
      ['output_per_mtok', perMillion(live.pricing?.completion)],
      ['cache_read_per_mtok', perMillion(live.pricing?.input_cache_read)],
      ['cache_write_per_mtok', perMillion(live.pricing?.input_cache_write)],
      ['cache_write_1h_per_mtok', perMillion(live.pricing?.input_cache_write_1h)],
      ['context_window', live.top_provider?.context_length ?? live.context_length ?? undefined],
      ['max_output', live.top_provider?.max_completion_tokens ?? undefined],
    ];
    for (const [field, value] of fields) {
      if (value === undefined || (value <= 0 && !field.endsWith('_per_mtok'))) continue;
      if (next[field] !== value) {
        changes.push(`${entry.id}: ${field} ${String(next[field])} → ${value}`);
        next[field] = value;
      }
    }
    return next;
  });
  const known = new Set(models.map((m) => m.id));
  for (const live of listed.filter(isFree)) {
    if (known.has(live.id)) continue;
    const context = live.top_provider?.context_length ?? live.context_length ?? 8192;
    const tools = live.supported_parameters?.includes('tools') ?? false;
    models.push({
      id: live.id,
      provider: 'openrouter',
      input_per_mtok: 0,
      output_per_mtok: 0,
      context_window: context,
      max_output: live.top_provider?.max_completion_tokens ?? Math.min(8192, context),
      free: true,
      // Unknown standing until someone rates it: low enough that the scoring router prefers known models.
      quality: 50,
      capabilities: { streaming: true, tools, vision: live.architecture?.input_modalities?.includes('image') ?? false, json: live.supported_parameters?.includes('response_format') ?? false },
      typical_latency_ms: 3000,
    });
    changes.push(`added free model ${live.id}`);
  }
  // A free model OpenRouter no longer lists is retired: it leaves the free cascade and the catalog,
  // so neither policy spends a call on it (the `openrouter/free` router id is not a model and stays).
  const retired = (id: string) => id !== 'openrouter/free' && id.endsWith(':free') && !byId.has(id);
  const freeCascade = file.cascade.free.filter((id) => {
    if (retired(id)) changes.push(`removed retired ${id} from the free cascade`);
    return !retired(id);
  });
  const kept = models.filter((m) => {
    if (m.provider === 'openrouter' && retired(m.id)) {
      changes.push(`removed retired ${m.id} from the catalog`);
      return false;
    }
    return true;
  });
  return { file: { ...file, cascade: { ...file.cascade, free: freeCascade }, models: kept }, changes };
}

/** The catalog as the project keeps it: one model a line, so a refresh reads well in a diff. */
export function formatCatalog(file: CatalogFile): string {
  const { models, cascade, ...rest } = file;
  const head = Object.entries(rest).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  return ['{', ...head, `  "cascade": ${JSON.stringify(cascade)},`, '  "models": [', models.map((m) => `    ${JSON.stringify(m)}`).join(',\n'), '  ]', '}', ''].join('\n');
}
