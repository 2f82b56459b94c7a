/** GET /health: the process is up and the database answers. Unauthenticated, for load balancers. */
import type { FastifyInstance } from 'fastify';

export function healthRoute(app: FastifyInstance, pingDatabase: () => Promise<void>): void {
  const startedAt = Date.now();
  app.get('/health', async (_request, reply) => {
    const uptime_s = Math.round((Date.now() - startedAt) / 1000);
    try {
      await pingDatabase();
      return { status: 'ok', database: 'ok', uptime_s };
    } catch (err) {
      reply.log.error({ err }, 'health check: database unreachable');
      // The reason in general words: the database's own (hosts, ports) are for the server log.
      return reply.code(503).send({ status: 'error', database: 'unreachable', reason: 'the database cannot be reached', uptime_s });
    }
  });
}
