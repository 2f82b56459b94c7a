/**
 * The key that signs account JWTs: SECRET_KEY when set (production: set it, so the database alone
 * cannot forge sessions); otherwise one generated at first start and kept in `settings`, so a
 * zero-configuration gateway keeps its users signed in across restarts.
 */
import { randomBytes } from 'node:crypto';
import type { SettingsRepository } from '../store/settings-repository.js';

const SETTING_KEY = 'jwt_secret';

export async function resolveSecretKey(configured: string | undefined, settings: SettingsRepository): Promise<{ secret: string; source: 'environment' | 'generated' | 'stored' }> {
  if (configured !== undefined) return { secret: configured, source: 'environment' };
  const stored = await settings.get(SETTING_KEY);
  if (stored !== undefined) return { secret: stored, source: 'stored' };
  const secret = randomBytes(32).toString('base64url');
  await settings.set(SETTING_KEY, secret);
  return { secret, source: 'generated' };
}
