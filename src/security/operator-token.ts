/**
 * The operator's bearer token. Only its SHA-256 is kept (in memory, and in the database when the
 * gateway generated it), and a presented token is checked in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as crypto from 'node:crypto';

/** Node ≥ 20.12's one-shot digest skips the Hash object: it runs on every authenticated request. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash;

export const TOKEN_PREFIX = 'cbr_';

/** 256 bits from the CSPRNG, URL-safe. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function sha256(value: string): Buffer {
  return oneShot ? oneShot('sha256', value, 'buffer') : createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Compares digests, not the strings: equal-length inputs for timingSafeEqual, and the time taken
 * says nothing about how much of the token was right.
 */
export function tokenMatchesHash(presented: string, expectedHash: Buffer): boolean {
  const digest = sha256(presented);
  return digest.length === expectedHash.length && timingSafeEqual(digest, expectedHash);
}

/** `Bearer abc` → `abc`; anything else → undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
