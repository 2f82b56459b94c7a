/**
 * Where the operator token comes from: CEREBRO_API_TOKEN if set; otherwise one generated at first
 * start, whose hash alone is stored, and which is shown once.
 */
import type { SettingsRepository } from '../store/settings-repository.js';
import { generateToken, sha256 } from './operator-token.js';

const SETTING_KEY = 'operator_token_sha256';

export interface OperatorToken {
  hash: Buffer;
  source: 'environment' | 'generated' | 'stored';
  /** Present only on the start that generated it: the one time it can be shown. */
  generated?: string;
}

export async function resolveOperatorToken(configured: string | undefined, settings: SettingsRepository): Promise<OperatorToken> {
  if (configured !== undefined) return { hash: sha256(configured), source: 'environment' };
  const stored = await settings.get(SETTING_KEY);
  if (stored !== undefined) return { hash: Buffer.from(stored, 'hex'), source: 'stored' };
  const token = generateToken();
  const hash = sha256(token);
  await settings.set(SETTING_KEY, hash.toString('hex'));
  return { hash, source: 'generated', generated: token };
}

/** Replaces the stored token with a new one (for an operator who lost it). */
export async function rotateOperatorToken(settings: SettingsRepository): Promise<string> {
  const token = generateToken();
  await settings.set(SETTING_KEY, sha256(token).toString('hex'));
  return token;
}
