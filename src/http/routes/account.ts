/** POST /api/auth/signup, POST /api/auth/login (public) and GET /api/auth/me. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AccountService } from '../../accounts/accounts.js';
import { validate } from '../validate.js';

const signupBody = z.object({
  email: z.string().max(320),
  password: z.string(),
  name: z.string().max(200).optional(),
});
const loginBody = z.object({ email: z.string().max(320), password: z.string().max(1024) });

export function publicAccountRoutes(app: FastifyInstance, accounts: AccountService): void {
  app.post('/api/auth/signup', async (request, reply) => {
    const body = validate(signupBody, request.body);
    return reply.code(201).send(await accounts.signup(body));
  });
  app.post('/api/auth/login', async (request) => accounts.login(validate(loginBody, request.body)));
}

export function accountRoutes(app: FastifyInstance, accounts: AccountService): void {
  app.get('/api/auth/me', async (request) => ({ ...(await accounts.me(request.caller.userId)), authenticated_with: request.caller.via }));
}
