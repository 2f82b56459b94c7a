/**
 * GET /health: the process is up and the database answers. Unauthenticated, for load balancers.
 * Redis, when configured, is reported but never makes the instance unhealthy: without it requests are
 * still answered, with limits counted per instance.
 */
import type { FastifyInstance } from 'fastify';
import type { SharedStateHealth } from '../../shared-state/shared-state.js';

/** Whether the database takes writes: since when they fail, and a write that tries again (clearing it when it goes through). */
export interface WriteHealth {
  failingSince(): number | undefined;
  probe(): Promise<void>;
}

export function healthRoute(app: FastifyInstance, pingDatabase: () => Promise<void>, writes?: WriteHealth, sharedState?: () => Promise<SharedStateHealth>): void {
  const startedAt = Date.now();
  app.get('/health', async (_request, reply) => {
    const uptime_s = Math.round((Date.now() - startedAt) / 1000);
    const redis = sharedState ? { redis: await sharedState() } : {};
    try {
      await pingDatabase();
      // Reachable, but its last writes failed (a read-only or full disk): try one; if it fails too, not healthy.
      const failing = writes?.failingSince();
      if (
        failing !== undefined &&
        !(await writes!.probe().then(
          () => true,
          () => false,
        ))
      )
        return reply.code(503).send({ status: 'error', database: 'not taking writes', reason: `the database has refused writes since ${new Date(failing).toISOString()}`, uptime_s, ...redis });
      return { status: 'ok', database: 'ok', uptime_s, ...redis };
    } catch (err) {
      reply.log.error({ err }, 'health check: database unreachable');
      // The reason in general words: the database's own (hosts, ports) are for the server log.
      return reply.code(503).send({ status: 'error', database: 'unreachable', reason: 'the database cannot be reached', uptime_s, ...redis });
    }
  });
}
