/**
 * Sign-up and log-in. A failed log-in says only that the e-mail or password is wrong, and takes
 * as long for an unknown e-mail (a decoy hash is verified) as for a wrong password.
 */
import { randomUUID } from 'node:crypto';
import { GatewayError, invalidRequest } from '../gateway/errors.js';
import { signAccessToken, ACCESS_TOKEN_TTL_SECONDS } from '../security/access-token.js';
import { decoyHash, hashPassword, passwordWeakness, verifyPassword } from '../security/passwords.js';
import { EmailTakenError, type UserRepository, type UserRow } from '../store/user-repository.js';

export interface AccountServiceOptions {
  secretKey: string;
  allowSignup: boolean;
  now: () => number;
}

export interface SessionToken {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  user: PublicUser;
}

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
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
  return { id: u.id, email: u.email, name: u.name, is_admin: u.is_admin === 1, created_at: u.created_at };
}

const badCredentials = () =>
  new GatewayError({ status: 401, type: 'invalid_request_error', code: 'invalid_credentials', message: 'Incorrect e-mail or password.' });

export class AccountService {
  constructor(
    private readonly users: UserRepository,
    private readonly options: AccountServiceOptions,
  ) {}

  async signup(input: { email: string; password: string; name?: string | undefined }): Promise<SessionToken> {
    if (!this.options.allowSignup) {
      throw new GatewayError({ status: 403, type: 'permission_error', code: 'signup_disabled', message: 'Sign-up is disabled on this gateway (ALLOW_SIGNUP=false); ask its operator for an account.' });
    }
    const email = normaliseEmail(input.email);
    if (!EMAIL.test(email) || email.length > 254) throw invalidRequest('Invalid value for \'email\': not an e-mail address', 'email');
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
    };
    try {
      await this.users.create(user);
    } catch (err) {
      if (err instanceof EmailTakenError) {
        throw new GatewayError({ status: 409, type: 'invalid_request_error', code: 'email_taken', param: 'email', message: 'An account with this e-mail already exists; log in instead.' });
      }
      throw err;
    }
    return this.sessionFor(user);
  }

  async login(input: { email: string; password: string }): Promise<SessionToken> {
    const user = await this.users.findByEmail(normaliseEmail(input.email));
    if (!user || user.password_hash === null) {
      await verifyPassword(await decoyHash(), input.password);
      throw badCredentials();
    }
    if (!(await verifyPassword(user.password_hash, input.password))) throw badCredentials();
    return this.sessionFor(user);
  }

  async me(userId: string): Promise<PublicUser> {
    const user = await this.users.findById(userId);
    if (!user) throw new GatewayError({ status: 401, type: 'invalid_request_error', code: 'invalid_api_key', message: 'This account no longer exists.' });
    return publicUser(user);
  }

  private async sessionFor(user: UserRow): Promise<SessionToken> {
    const token = await signAccessToken(user.id, this.options.secretKey, Math.floor(this.options.now() / 1000));
    return { access_token: token, token_type: 'bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS, user: publicUser(user) };
  }
}
