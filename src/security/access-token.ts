/** Account sessions: JWT HS256 signed with SECRET_KEY, valid for 24 hours. */
import { randomUUID } from 'node:crypto';

/**
 * jose is loaded on first use: a gateway called only with its operator token or gateway keys
 * never needs it, and it holds about a megabyte of heap once loaded.
 */
let jose: Promise<typeof import('jose')> | undefined;
const loadJose = () => (jose ??= import('jose'));

export const ACCESS_TOKEN_TTL_SECONDS = 24 * 60 * 60;
const ISSUER = 'cerebro';

export interface AccessTokenClaims {
  userId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** The token's own id, for signing out this token alone (absent on tokens from before it existed). */
  jti: string | undefined;
  /** The account's token version when it was issued: a password change bumps it, revoking every older token. */
  version: number;
}

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signAccessToken(userId: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000), version = 0): Promise<string> {
  const { SignJWT } = await loadJose();
  return new SignJWT({ ver: version })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setJti(randomUUID())
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ACCESS_TOKEN_TTL_SECONDS)
    .sign(keyOf(secret));
}

/** The claims of a valid token; undefined for a forged, expired or malformed one. */
export async function verifyAccessToken(token: string, secret: string, now?: Date): Promise<AccessTokenClaims | undefined> {
  const { jwtVerify, errors } = await loadJose();
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { algorithms: ['HS256'], issuer: ISSUER, ...(now ? { currentDate: now } : {}) });
    if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return undefined;
    const version = payload.ver === undefined ? 0 : payload.ver;
    if (typeof version !== 'number' || !Number.isSafeInteger(version)) return undefined;
    return { userId: payload.sub, expiresAt: payload.exp, jti: typeof payload.jti === 'string' ? payload.jti : undefined, version };
  } catch (err) {
    if (err instanceof errors.JOSEError) return undefined;
    throw err;
  }
}

/** Whether a bearer token has the shape of a JWT (three base64url segments). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
