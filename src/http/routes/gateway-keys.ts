/** POST/GET /api/keys/gateway and DELETE /api/keys/gateway/:id: the caller's own gateway keys. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GatewayKeyService } from '../../accounts/gateway-keys.js';
import { GatewayError } from '../../core/errors.js';
import type { GatewayKeyRow } from '../../store/gateway-key-repository.js';
import { validate } from '../validate.js';
import { parseScopes, SCOPES } from '../../accounts/scopes.js';

export const createBody = z.object({
  name: z.string().trim().min(1).max(100).default('default'),
  rate_limit: z.number().int().min(1).max(100_000).optional(),
  scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length).optional(),
});

const idParam = z.object({ id: z.uuid('must be a key id from GET /api/keys/gateway') });

function view(row: GatewayKeyRow) {
  return {
    id: row.id,
    name: row.name,
    // `prefix` is the backend seed's name, `key_prefix` this gateway's first: both stay.
    prefix: row.key_prefix,
    key_prefix: row.key_prefix,
    rate_limit: row.rate_limit,
    scopes: parseScopes(row.scopes),
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
    is_active: row.revoked_at === null,
  };
}

export function gatewayKeyRoutes(app: FastifyInstance, keys: GatewayKeyService): void {
  app.post('/api/keys/gateway', async (request, reply) => {
    const body = validate(createBody, request.body ?? {});
    // `admin` sees every tenant: only the operator, with the operator token, may hand it out.
    if (body.scopes?.includes('admin') && !(request.caller.isAdmin && request.caller.via === 'operator_token')) {
      throw new GatewayError({ status: 403, type: 'permission_error', code: 'scope_not_allowed', param: 'scopes', message: "Only the operator may create keys with the 'admin' scope." });
    }
    const issued = await keys.issue(request.caller.userId, body.name, body.rate_limit, body.scopes);
    // The only time the whole key is shown.
    return reply.code(201).send({ ...view(issued.row), key: issued.key });
  });

  app.get('/api/keys/gateway', async (request) => ({ keys: (await keys.list(request.caller.userId)).map(view) }));

  app.delete('/api/keys/gateway/:id', async (request) => {
    const { id } = validate(idParam, request.params);
    const row = await keys.revoke(request.caller.userId, id);
    if (!row) throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'key_not_found', param: 'id', message: `No active gateway key '${id}' belongs to you.` });
    return view(row);
  });
}
