/** The operator's account management: GET/POST /api/admin/users, PATCH /api/admin/users/:id. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UserAdmin } from '../../accounts/user-admin.js';
import { GatewayError } from '../../core/errors.js';
import { validate } from '../validate.js';
import { signupBody } from './account.js';

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.string().max(500).optional(),
});
export const patchBody = z
  .object({
    disabled: z.boolean(),
    daily_token_limit: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable(),
    plan: z.string().trim().min(1).max(50),
  })
  .partial()
  .strict();
export const createUserBody = signupBody.extend({ password: z.string().max(1024).optional() });
const idParam = z.object({ id: z.string().min(1).max(100) });

function operatorOnly(request: FastifyRequest): void {
  if (!request.caller.isAdmin) throw new GatewayError({ status: 403, type: 'permission_error', code: 'forbidden', message: 'Only the operator can manage accounts.' });
}

export function adminUserRoutes(app: FastifyInstance, admin: UserAdmin): void {
  app.get('/api/admin/users', async (request) => {
    operatorOnly(request);
    const q = validate(listQuery, request.query);
    return admin.list(q.after, q.limit);
  });

  app.post('/api/admin/users', async (request, reply) => {
    operatorOnly(request);
    const body = validate(createUserBody, request.body);
    return reply.code(201).send(await admin.create(body));
  });

  app.patch('/api/admin/users/:id', async (request) => {
    operatorOnly(request);
    const { id } = validate(idParam, request.params);
    return admin.update(id, validate(patchBody, request.body ?? {}));
  });
}
