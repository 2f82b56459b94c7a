/**
 * Gateway keys: `gw_` + 32 alphanumerics from the CSPRNG (about 190 bits). Only the SHA-256 is
 * stored; the first characters are kept so people can tell their keys apart.
 */
import { randomInt } from 'node:crypto';
import { sha256 } from './operator-token.js';

export const GATEWAY_KEY_PREFIX = 'gw_';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BODY_LENGTH = 32;
const SHAPE = /^gw_[A-Za-z0-9]{32}$/;

export function generateGatewayKey(): string {
  let body = '';
  // randomInt draws without modulo bias.
  for (let i = 0; i < BODY_LENGTH; i++) body += ALPHABET[randomInt(ALPHABET.length)];
  return GATEWAY_KEY_PREFIX + body;
}

export function isGatewayKeyShaped(token: string): boolean {
  return SHAPE.test(token);
}

export function gatewayKeyHash(key: string): string {
  return sha256(key).toString('hex');
}

/** What lists show: `gw_AbCd…` (7 characters; the rest stays secret). */
export function gatewayKeyDisplayPrefix(key: string): string {
  return key.slice(0, 7);
}
