/**
 * Sign-up and log-in. A failed log-in says only that the e-mail or password is wrong, and takes
 * as long for an unknown e-mail (a decoy hash is verified) as for a wrong password.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { RevokedTokenRepository } from '../store/revoked-token-repository.js';
import { GatewayError, invalidRequest } from '../core/errors.js';
import { signAccessToken, ACCESS_TOKEN_TTL_SECONDS } from '../security/access-token.js';
import { decoyHash, hashPassword, passwordWeakness, verifyPassword } from '../security/passwords.js';
import { EmailTakenError, type UserRepository, type UserRow } from '../store/user-repository.js';

export interface AccountServiceOptions {
  secretKey: string;
  allowSignup: boolean;
  now: () => number;
  /** Signed-out tokens; absent where nobody signs out (the CLI). */
  revokedTokens?: RevokedTokenRepository;
  /** After a change to an account's tokens, password or existence, so caches forget it. */
  onChange?: (userId: string) => void;
  /**
   * Just before an account is deleted: its requests in flight are stopped and what they would still
   * write (log rows, counters) is made ownerless, so nothing of it outlives the deletion.
   */
  beforeDelete?: (userId: string) => Promise<void>;
  /** Revokes every gateway key of a user (a password change may ask for it). */
  revokeGatewayKeys?: (userId: string) => Promise<number>;
}

/** Signed-out tokens kept per user before one sign-out signs out every token of theirs. */
export const MAX_SIGNED_OUT_TOKENS = 32;

/** The token a request came with, as far as signing it out needs. */
export interface PresentedToken {
  userId: string;
  jti: string | undefined;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** A password made for an account the operator creates without one: shown once. */
export function generatePassword(): string {
  return `${randomBytes(18).toString('base64url')}-Aa1`;
}

export interface SessionToken {
  /** The backend seed's name for the account token; `access_token` is the same, OAuth's name. */
  token: string;
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  user: PublicUser;
}

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  plan: string;
  is_admin: boolean;
  created_at: string;
}

/** Trimmed and lower-cased: one account per mailbox, however it is typed. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Deliberately simple: one @, something on each side, a dot in the domain, no spaces.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

export function publicUser(u: UserRow): PublicUser {
  return { id: u.id, email: u.email, name: u.name, plan: u.plan, is_admin: u.is_admin === 1, created_at: u.created_at };
}

export const accountDisabled = () => new GatewayError({ status: 403, type: 'permission_error', code: 'account_disabled', message: 'This account has been disabled by the operator of this gateway.' });

const badCredentials = () => new GatewayError({ status: 401, type: 'invalid_request_error', code: 'invalid_credentials', message: 'Incorrect e-mail or password.' });

export class AccountService {
  constructor(
    private readonly users: UserRepository,
    private readonly options: AccountServiceOptions,
  ) {}

  /** Whether anyone may create an account (ALLOW_SIGNUP). */
  get signupAllowed(): boolean {
    return this.options.allowSignup;
  }

  async signup(input: { email: string; password: string; name?: string | undefined }): Promise<SessionToken> {
    if (!this.options.allowSignup) {
      throw new GatewayError({ status: 403, type: 'permission_error', code: 'signup_disabled', message: 'Sign-up is disabled on this gateway (ALLOW_SIGNUP=false); ask its operator for an account.' });
    }
    return this.sessionFor(await this.create(input));
  }

  /** A new account, whether or not sign-up is open (the operator's CLI and admin API). */
  async create(input: { email: string; password: string; name?: string | undefined }): Promise<UserRow> {
    const email = normaliseEmail(input.email);
    if (!EMAIL.test(email) || email.length > 254) throw invalidRequest("Invalid value for 'email': not an e-mail address", 'email');
    const weakness = passwordWeakness(input.password, email);
    if (weakness) throw invalidRequest(`Invalid value for 'password': ${weakness}`, 'password', 'weak_password');
    const user: UserRow = {
      id: randomUUID(),
      email,
      name: input.name?.trim() || null,
      password_hash: await hashPassword(input.password),
      is_admin: 0,
      created_at: new Date(this.options.now()).toISOString(),
      disabled_at: null,
      token_version: 0,
      daily_token_limit: null,
      plan: 'free',
    };
    try {
      await this.users.create(user);
    } catch (err) {
      if (err instanceof EmailTakenError) {
        throw new GatewayError({ status: 409, type: 'invalid_request_error', code: 'email_taken', param: 'email', message: 'An account with this e-mail already exists; log in instead.' });
      }
      throw err;
    }
    return user;
  }

  async login(input: { email: string; password: string }): Promise<SessionToken> {
    const user = await this.users.findByEmail(normaliseEmail(input.email));
    if (!user || user.password_hash === null) {
      await verifyPassword(await decoyHash(), input.password);
      throw badCredentials();
    }
    if (!(await verifyPassword(user.password_hash, input.password))) throw badCredentials();
    // Said only to whoever knows the password.
    if (user.disabled_at !== null) throw accountDisabled();
    return this.sessionFor(user);
  }

  /** Signs out the token the request came with; one without an id of its own takes every token of the user with it. */
  async logout(token: PresentedToken): Promise<void> {
    const revoked = this.options.revokedTokens;
    if (!revoked) throw new Error('signing out needs the revoked-token store');
    const unexpired = token.jti === undefined ? Infinity : await revoked.revoke(token.jti, token.userId, new Date(token.expiresAt * 1000).toISOString(), new Date(this.options.now()).toISOString());
    // The deny-list is read with the account on every cache refresh: past a few dozen entries, one
    // version bump signs out every token instead (and a token with no id of its own can only go so).
    if (unexpired > MAX_SIGNED_OUT_TOKENS) {
      await this.users.bumpTokenVersion(token.userId);
      await revoked.clear(token.userId);
    }
    this.options.onChange?.(token.userId);
  }

  /** Changes the password after checking the current one; every earlier token stops working. Returns a fresh one. */
  async changePassword(userId: string, current: string, next: string, revokeKeys = false): Promise<SessionToken> {
    const user = await this.withPassword(userId, current, 'current_password');
    if (next === current) throw invalidRequest("Invalid value for 'new_password': it is the current password", 'new_password', 'weak_password');
    const weakness = passwordWeakness(next, user.email);
    if (weakness) throw invalidRequest(`Invalid value for 'new_password': ${weakness}`, 'new_password', 'weak_password');
    const version = await this.users.setPassword(userId, await hashPassword(next));
    if (revokeKeys) await this.options.revokeGatewayKeys?.(userId);
    this.options.onChange?.(userId);
    return this.sessionFor({ ...user, token_version: version });
  }

  /** Deletes the account and everything it owns, once its password is given again. */
  async deleteAccount(userId: string, password: string): Promise<void> {
    await this.withPassword(userId, password, 'password');
    await this.options.beforeDelete?.(userId);
    await this.users.deleteAccount(userId);
    this.options.onChange?.(userId);
  }

  /** The user, if `password` is theirs; a 400 naming the parameter otherwise. */
  private async withPassword(userId: string, password: string, param: string): Promise<UserRow> {
    const user = await this.users.findById(userId);
    if (!user || user.password_hash === null)
      throw new GatewayError({ status: 400, type: 'invalid_request_error', code: 'no_password', message: 'This account has no password (the operator signs in with CEREBRO_API_TOKEN).' });
    if (!(await verifyPassword(user.password_hash, password))) {
      throw new GatewayError({ status: 400, type: 'invalid_request_error', code: 'invalid_credentials', param, message: `Invalid value for '${param}': not this account's password.` });
    }
    return user;
  }

  async me(userId: string): Promise<PublicUser> {
    const user = await this.users.findById(userId);
    if (!user) throw new GatewayError({ status: 401, type: 'invalid_request_error', code: 'invalid_api_key', message: 'This account no longer exists.' });
    return publicUser(user);
  }

  private async sessionFor(user: UserRow): Promise<SessionToken> {
    const token = await signAccessToken(user.id, this.options.secretKey, Math.floor(this.options.now() / 1000), Number(user.token_version));
    return { user: publicUser(user), token, access_token: token, token_type: 'bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS };
  }
}
