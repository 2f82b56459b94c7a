/** POST/GET /api/keys/providers and DELETE /api/keys/providers/:provider: bring your own key. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ProviderKeyService } from '../../accounts/provider-keys.js';
import { GatewayError } from '../../core/errors.js';
import { PROVIDER_IDS } from '../../providers/registry.js';
import { validate } from '../validate.js';

const providerParam = z.object({ provider: z.enum(PROVIDER_IDS) });
export const addBody = z.object({ provider: z.string().min(1).max(50), api_key: z.string().min(1).max(500) });

export function providerKeyRoutes(app: FastifyInstance, keys: ProviderKeyService): void {
  app.post('/api/keys/providers', async (request, reply) => {
    const body = validate(addBody, request.body);
    return reply.code(201).send(await keys.add(request.caller.userId, body.provider, body.api_key));
  });

  app.get('/api/keys/providers', async (request) => ({ keys: await keys.list(request.caller.userId) }));

  app.delete('/api/keys/providers/:provider', async (request) => {
    const { provider } = validate(providerParam, request.params);
    if (!(await keys.remove(request.caller.userId, provider))) {
      throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'key_not_found', param: 'provider', message: `You have no stored ${provider} key.` });
    }
    return { provider, deleted: true };
  });
}
