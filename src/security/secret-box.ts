/**
 * Encryption of stored provider keys: AES-256-GCM (authenticated) under a key derived with HKDF-SHA256
 * from MASTER_ENCRYPTION_KEY and a random salt per record, with a random 96-bit IV per record.
 * The record's owner and provider are bound in as associated data, so a ciphertext copied onto
 * another user's row does not decrypt. Format: `v1.<salt>.<iv>.<tag>.<ciphertext>` (base64url).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const INFO = Buffer.from('cerebro provider key v1');

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** The master key must carry at least 256 bits: 32+ bytes as base64/hex, or a 32+ character passphrase. */
export function masterKeyProblem(master: string): string | undefined {
  return master.length < 32 ? 'must be at least 32 characters (for example: openssl rand -base64 32)' : undefined;
}

function derive(master: string, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(master, 'utf8'), salt, INFO, 32));
}

/** A stored provider key binds its owner and provider into its ciphertext (the AES-GCM associated data). */
export const providerKeyAad = (userId: string, provider: string) => `${userId}:${provider}`;

export function seal(master: string, plaintext: string, associatedData: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(master, salt), iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, salt, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function open(master: string, sealed: string, associatedData: string): string {
  const [version, salt, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || salt === undefined || iv === undefined || tag === undefined || ciphertext === undefined) {
    throw new SecretBoxError('the stored secret is not in a format this version can read');
  }
  try {
    const tagBytes = Buffer.from(tag, 'base64url');
    // Only full 128-bit tags: GCM would otherwise accept a truncated tag, which is easier to forge.
    if (tagBytes.length !== 16) throw new Error('bad tag length');
    const decipher = createDecipheriv('aes-256-gcm', derive(master, Buffer.from(salt, 'base64url')), Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('the stored secret cannot be decrypted: MASTER_ENCRYPTION_KEY differs from the one it was stored with, or the record was altered');
  }
}
