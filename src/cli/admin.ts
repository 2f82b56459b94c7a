/**
 * What the administrative commands do, against the database the environment names: migrations,
 * users and gateway keys. No HTTP: an operator on the host (or in the container) runs them.
 */
import { AccountService } from '../accounts/accounts.js';
import { GatewayKeyService } from '../accounts/gateway-keys.js';
import type { Config } from '../config.js';
import { GatewayError } from '../core/errors.js';
import { OPERATOR_USER_ID } from '../gateway/caller.js';
import type { Scope } from '../accounts/scopes.js';
import { resolveSecretKey } from '../security/secret-key-bootstrap.js';
import { migrateToLatest, databaseOptions, openDatabase, type OpenedDatabase } from '../store/database.js';
import { GatewayKeyRepository } from '../store/gateway-key-repository.js';
import { SettingsRepository } from '../store/settings-repository.js';
import { UserRepository } from '../store/user-repository.js';

export async function withDatabase<T>(config: Config, work: (database: OpenedDatabase) => Promise<T>): Promise<T> {
  const database = openDatabase(config.databaseUrl, { ...databaseOptions(config.database), onConnectionError: () => undefined });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

/** Applies the migrations not yet applied; returns their names. */
export const migrate = (config: Config) => withDatabase(config, (database) => migrateToLatest(database));

export async function createUser(config: Config, input: { email: string; password: string; name?: string }): Promise<{ id: string; email: string }> {
  return withDatabase(config, async (database) => {
    await migrateToLatest(database);
    const secretKey = (await resolveSecretKey(config.secretKey, new SettingsRepository(database.db))).secret;
    // The operator creates accounts whether or not the public sign-up is open.
    const accounts = new AccountService(new UserRepository(database.db), { secretKey, allowSignup: false, now: Date.now });
    const user = await accounts.create(input);
    return { id: user.id, email: user.email };
  });
}

/** A user by id or e-mail, or a clear error. */
async function userId(database: OpenedDatabase, who: string): Promise<string> {
  const users = new UserRepository(database.db);
  const found = who.includes('@') ? await users.findByEmail(who.trim().toLowerCase()) : (await users.exists(who)) ? { id: who } : undefined;
  if (!found) throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'user_not_found', message: `No user '${who}'. Create one with: cerebro users create --email <e-mail>` });
  return found.id;
}

const keyService = (database: OpenedDatabase, config: Config) =>
  new GatewayKeyService(new GatewayKeyRepository(database.db), { now: Date.now, cacheTtlMs: 0, defaultRateLimit: config.gatewayKeyDefaultRateLimit, maxRateLimit: config.gatewayKeyMaxRateLimit });

/** The host's operator may give any user's key any scope but `admin`, which only the operator's own keys take. */
export async function createKey(config: Config, input: { user: string; name: string; rateLimit?: number; scopes?: Scope[] }) {
  return withDatabase(config, async (database) => {
    await migrateToLatest(database);
    const user = await userId(database, input.user);
    if (input.scopes?.includes('admin') && user !== OPERATOR_USER_ID) {
      throw new GatewayError({ status: 400, type: 'invalid_request_error', code: 'scope_not_allowed', message: "Only the operator's own keys (--user operator) may have the 'admin' scope." });
    }
    return keyService(database, config).issue(user, input.name, input.rateLimit, input.scopes);
  });
}

export async function listKeys(config: Config, user: string) {
  return withDatabase(config, async (database) => {
    await migrateToLatest(database);
    return keyService(database, config).list(await userId(database, user));
  });
}

export async function revokeKey(config: Config, user: string, id: string) {
  return withDatabase(config, async (database) => {
    await migrateToLatest(database);
    const revoked = await keyService(database, config).revoke(await userId(database, user), id);
    if (!revoked) throw new GatewayError({ status: 404, type: 'invalid_request_error', code: 'key_not_found', message: `No gateway key '${id}' for that user.` });
    return revoked;
  });
}
