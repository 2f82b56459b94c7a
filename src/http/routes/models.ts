/** GET /v1/models in the OpenAI list format. */
import type { FastifyInstance } from 'fastify';
import type { ProviderId } from '../../providers/types.js';
import type { ModelCatalog } from '../../routing/model-catalog.js';

export interface ModelsRouteOptions {
  catalog: ModelCatalog;
  isConfigured: (provider: ProviderId) => boolean;
  /** Unix seconds reported as `created` (the catalog carries no release dates). */
  created: number;
}

export function modelsRoute(app: FastifyInstance, options: ModelsRouteOptions): void {
  const { catalog, isConfigured, created } = options;
  app.get('/v1/models', async () => ({
    object: 'list',
    data: [
      { id: 'auto', object: 'model', created, owned_by: 'cerebro', available: true },
      ...catalog.models.map((m) => ({
        id: m.id,
        object: 'model',
        created,
        owned_by: m.provider,
        // Whether this gateway holds a key for the model's provider right now.
        available: isConfigured(m.provider),
      })),
      ...catalog.embeddings.map((m) => ({ id: m.id, object: 'model', created, owned_by: m.provider, available: isConfigured(m.provider) })),
    ],
  }));
}
