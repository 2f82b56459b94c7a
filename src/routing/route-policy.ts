/**
 * How `model: "auto"` is routed: `cascade`, the free-first order (the default), or `score`, the
 * scoring router. Chosen per request (`route` field or `x-cerebro-route` header), else by the
 * user's `route_policy` setting.
 */
export const ROUTE_POLICIES = ['cascade', 'score'] as const;
export type RoutePolicy = (typeof ROUTE_POLICIES)[number];

export function isRoutePolicy(value: unknown): value is RoutePolicy {
  return typeof value === 'string' && (ROUTE_POLICIES as readonly string[]).includes(value);
}
