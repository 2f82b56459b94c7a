/**
 * The providers' adapters and the model names they claim, from their definitions (definitions.ts,
 * the one place that lists providers).
 */
import { PROVIDER_DEFINITIONS, PROVIDER_IDS, type AdapterSettings } from './definitions.js';
import type { EmbeddingAdapter } from './embeddings/types.js';
import type { ProviderAdapter, ProviderCredentials, ProviderId } from './types.js';

export { PROVIDER_IDS };

export interface ProviderSettings extends AdapterSettings {
  credentials: Partial<Record<ProviderId, ProviderCredentials>>;
}

export function createAdapters(settings: AdapterSettings): Record<ProviderId, ProviderAdapter> {
  return Object.fromEntries(PROVIDER_IDS.map((id) => [id, PROVIDER_DEFINITIONS[id].createAdapter(settings)])) as Record<ProviderId, ProviderAdapter>;
}

/** The embeddings wire formats of the providers that serve embeddings. */
export function createEmbeddingAdapters(): Partial<Record<ProviderId, EmbeddingAdapter>> {
  return Object.fromEntries(
    PROVIDER_IDS.flatMap((id) => {
      const create = PROVIDER_DEFINITIONS[id].createEmbeddingAdapter;
      return create ? [[id, create()]] : [];
    }),
  );
}

/** Which provider serves a model name that is not in the catalog, by its shape (the first to claim it). */
export function inferProvider(model: string): ProviderId | undefined {
  return PROVIDER_IDS.find((id) => PROVIDER_DEFINITIONS[id].claims(model));
}
