/** GET /metrics: Prometheus text format, for the operator's token only (it shows every user's traffic). */
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../gateway/errors.js';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';

export function metricsRoute(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.get('/metrics', async (request, reply) => {
    if (!request.caller.isAdmin) throw new GatewayError({ status: 403, type: 'permission_error', code: 'forbidden', message: 'Only the operator can read the metrics.' });
    return reply.type(metrics.contentType).send(await metrics.text());
  });
}
