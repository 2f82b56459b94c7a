/**
 * GET /metrics: Prometheus text format. It shows every user's traffic, so it takes the operator's
 * token or, better for a scraper, METRICS_TOKEN: a credential that can read metrics and nothing else.
 */
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../core/errors.js';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';
import { bearerToken, tokenMatchesHash } from '../../security/operator-token.js';

export interface MetricsAccess {
  operatorTokenHash: Buffer;
  metricsTokenHash?: Buffer | undefined;
}

const refused = () =>
  new GatewayError({
    status: 401,
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: 'GET /metrics takes the operator token or METRICS_TOKEN as a bearer token.',
    headers: { 'www-authenticate': 'Bearer' },
  });

export function metricsRoute(app: FastifyInstance, metrics: GatewayMetrics, access: MetricsAccess): void {
  app.get('/metrics', async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    const allowed = token !== undefined && (tokenMatchesHash(token, access.operatorTokenHash) || (access.metricsTokenHash !== undefined && tokenMatchesHash(token, access.metricsTokenHash)));
    if (!allowed) throw refused();
    return reply.type(metrics.contentType).send(await metrics.text());
  });
}
