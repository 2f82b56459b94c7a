/**
 * What a gateway key may do. `chat`: the /v1 routes. `read`: its owner's own account, settings,
 * analytics and logs. `admin`: the operator's views of everyone (only the operator's keys, and
 * only when asked for at creation). No key manages keys, provider keys or settings: that takes the
 * account's own token, so a leaked key cannot mint others or lock its owner out.
 */
export const SCOPES = ['chat', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const DEFAULT_SCOPES: readonly Scope[] = ['chat', 'read'];

/** As stored: comma-separated, in SCOPES order, no repeats. */
export function formatScopes(scopes: readonly Scope[]): string {
  return SCOPES.filter((s) => scopes.includes(s)).join(',');
}

/** The stored text back into scopes; anything unknown is dropped (never widened). */
export function parseScopes(text: string): Scope[] {
  const given = text.split(',');
  return SCOPES.filter((s) => given.includes(s));
}
