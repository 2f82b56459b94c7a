/**
 * The model catalog: prices, limits and the cascade's model lists, from one data file.
 * Loading reads a file; everything else is pure lookup.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PROVIDER_IDS } from '../providers/registry.js';
import type { Usage } from '../providers/types.js';

const modelSchema = z.object({
  id: z.string().min(1),
  provider: z.enum(PROVIDER_IDS),
  aliases: z.array(z.string()).default([]),
  input_per_mtok: z.number().nonnegative(),
  output_per_mtok: z.number().nonnegative(),
  /** Prompt tokens read from the provider's prompt cache; absent: the input price (no discount is assumed). */
  cache_read_per_mtok: z.number().nonnegative().optional(),
  /** Prompt tokens written to the cache for five minutes (Anthropic bills 1.25× input); absent: the input price. */
  cache_write_per_mtok: z.number().nonnegative().optional(),
  /** Written for an hour (Anthropic bills 2× input); absent: the five-minute write price. */
  cache_write_1h_per_mtok: z.number().nonnegative().optional(),
  context_window: z.number().int().positive(),
  max_output: z.number().int().positive(),
  free: z.boolean(),
  /** 0–100: how well the model answers hard prompts (the router's quality axis; public benchmarks, rounded). */
  quality: z.number().min(0).max(100).default(50),
  capabilities: z
    .object({ streaming: z.boolean().default(true), tools: z.boolean().default(false), vision: z.boolean().default(false), json: z.boolean().default(false) })
    .default({ streaming: true, tools: false, vision: false, json: false }),
  /** Typical time to a complete short answer, ms (the router's latency axis; live health refines it). */
  typical_latency_ms: z.number().int().positive().default(1500),
});

const embeddingModelSchema = z.object({
  id: z.string().min(1),
  provider: z.enum(PROVIDER_IDS),
  aliases: z.array(z.string()).default([]),
  input_per_mtok: z.number().nonnegative(),
  /** The vector size it returns by default. */
  dimensions: z.number().int().positive(),
  /** Tokens one input may hold. */
  max_input_tokens: z.number().int().positive(),
});

export type EmbeddingModelEntry = z.infer<typeof embeddingModelSchema>;

const catalogFileSchema = z.object({
  cascade: z.object({
    free: z.array(z.string()),
    fallback: z.array(z.string()),
    priority: z.array(z.string()),
  }),
  models: z.array(modelSchema),
  embeddings: z.array(embeddingModelSchema).default([]),
});

export type ModelEntry = z.infer<typeof modelSchema>;

/** A catalog entry from its file form (the optional fields take their defaults). */
export function defineModel(input: z.input<typeof modelSchema>): ModelEntry {
  return modelSchema.parse(input);
}
export type CascadeModels = z.infer<typeof catalogFileSchema>['cascade'];

export class ModelCatalog {
  private readonly byName = new Map<string, ModelEntry>();

  private readonly embeddingByName = new Map<string, EmbeddingModelEntry>();

  constructor(
    readonly models: readonly ModelEntry[],
    readonly cascade: CascadeModels,
    readonly embeddings: readonly EmbeddingModelEntry[] = [],
  ) {
    for (const m of models) {
      this.byName.set(m.id, m);
      for (const alias of m.aliases) this.byName.set(alias, m);
    }
    for (const m of embeddings) {
      this.embeddingByName.set(m.id, m);
      for (const alias of m.aliases) this.embeddingByName.set(alias, m);
    }
  }

  /** An embedding model by id or alias. */
  embedding(name: string): EmbeddingModelEntry | undefined {
    return this.embeddingByName.get(name);
  }

  /** By id or alias. */
  get(name: string): ModelEntry | undefined {
    return this.byName.get(name);
  }

  /**
   * USD for this usage, each prompt token at its own price: fresh, read from the provider's cache, or
   * written to it (five minutes or an hour). A model we have no price for costs 0 (reported, not guessed).
   */
  cost(model: string, usage: Usage | undefined): number {
    const entry = this.get(model);
    if (!entry || !usage) return 0;
    const { read, write5m, write1h } = cacheCounts(usage);
    const fresh = usage.promptTokens - read - write5m - write1h;
    const prices = cachePrices(entry);
    return (fresh * entry.input_per_mtok + read * prices.read + write5m * prices.write5m + write1h * prices.write1h + usage.completionTokens * entry.output_per_mtok) / 1_000_000;
  }

  /** What the cached prompt tokens would have cost at the input price, less what they cost: negative when writes outweighed reads. */
  cacheSavings(model: string, usage: Usage | undefined): number {
    const entry = this.get(model);
    if (!entry || !usage) return 0;
    const { read, write5m, write1h } = cacheCounts(usage);
    const prices = cachePrices(entry);
    const input = entry.input_per_mtok;
    return (read * (input - prices.read) + write5m * (input - prices.write5m) + write1h * (input - prices.write1h)) / 1_000_000;
  }
}

function cacheCounts(usage: Usage): { read: number; write5m: number; write1h: number } {
  const write1h = usage.cacheWrite1hTokens ?? 0;
  return { read: usage.cacheReadTokens ?? 0, write5m: (usage.cacheWriteTokens ?? 0) - write1h, write1h };
}

function cachePrices(entry: ModelEntry): { read: number; write5m: number; write1h: number } {
  const write5m = entry.cache_write_per_mtok ?? entry.input_per_mtok;
  return { read: entry.cache_read_per_mtok ?? entry.input_per_mtok, write5m, write1h: entry.cache_write_1h_per_mtok ?? write5m };
}

/** Parses catalog JSON, naming the first mistake clearly. */
export function parseCatalog(json: unknown, source: string): ModelCatalog {
  const parsed = catalogFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return new ModelCatalog(parsed.data.models, parsed.data.cascade, parsed.data.embeddings);
}

export function loadCatalogFile(path: string): ModelCatalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the model catalog ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseCatalog(json, path);
}
