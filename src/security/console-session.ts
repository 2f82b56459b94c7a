/**
 * The web console's session. The browser holds it in an httpOnly, SameSite=Strict cookie that page
 * scripts cannot read; every request made with it must also carry a CSRF token (a header no other
 * origin can set) derived from the session, so the cookie alone authorises nothing.
 * A user's session is their account token (signing it out revokes it). The operator's is a token
 * of its own, signed with a key that mixes in the operator token's hash, so changing
 * CEREBRO_API_TOKEN ends every operator session.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { signAccessToken, verifyAccessToken, type AccessTokenClaims } from './access-token.js';

/**
 * The cookie's name: over https, `__Host-` makes the browser refuse one set by a sibling subdomain or
 * over plain http (so nobody can sign a victim into the attacker's account); plain http (localhost,
 * a private network) can only use the bare name.
 */
export const consoleCookieName = (https: boolean) => (https ? '__Host-cerebro_console' : 'cerebro_console');
export const CSRF_HEADER = 'x-cerebro-csrf';

function operatorKey(secretKey: string, operatorTokenHash: Buffer): string {
  return `${secretKey}:console-operator:${operatorTokenHash.toString('hex')}`;
}

/** `version`: the operator account's token version, which a burst of sign-outs may have raised. */
export function signOperatorSession(secretKey: string, operatorTokenHash: Buffer, nowSeconds: number, version: number): Promise<string> {
  return signAccessToken('operator', operatorKey(secretKey, operatorTokenHash), nowSeconds, version);
}

/** An operator session's claims, or undefined when the token is not one (or no longer valid). */
export async function verifyOperatorSession(token: string, secretKey: string, operatorTokenHash: Buffer, now: Date): Promise<AccessTokenClaims | undefined> {
  const claims = await verifyAccessToken(token, operatorKey(secretKey, operatorTokenHash), now);
  return claims?.userId === 'operator' ? claims : undefined;
}

/** The CSRF token of a session: bound to its id, so it dies with the session. */
export function csrfTokenFor(secretKey: string, jti: string): string {
  return createHmac('sha256', secretKey).update(`console-csrf:${jti}`).digest('base64url');
}

export function csrfTokenMatches(secretKey: string, jti: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length > 100) return false;
  const expected = Buffer.from(csrfTokenFor(secretKey, jti));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
