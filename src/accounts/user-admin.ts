/**
 * The operator's view of accounts: list them with today's usage, create them (sign-up may be
 * closed), disable and re-enable them, set their daily token limit.
 */
import { GatewayError } from '../core/errors.js';
import type { UserRepository, UserRow } from '../store/user-repository.js';
import { generatePassword, type AccountService } from './accounts.js';
import { decodeCursor, encodeCursor } from '../core/cursor.js';

export interface AdminUserView {
  id: string;
  email: string;
  name: string | null;
  plan: string;
  is_admin: boolean;
  created_at: string;
  disabled: boolean;
  disabled_at: string | null;
  /** The operator's ceiling on this user's tokens per day; null: USER_DAILY_TOKEN_LIMIT. */
  daily_token_limit: number | null;
  tokens_used_today: number;
}

export interface UserAdminDeps {
  users: UserRepository;
  accounts: AccountService;
  tokensToday: (userId: string) => Promise<number>;
  now: () => number;
  /** After a change, so caches (account states, caller contexts) forget the user. */
  onChange: (userId: string) => void;
}

const notFound = (id: string) => new GatewayError({ status: 404, type: 'invalid_request_error', code: 'user_not_found', param: 'id', message: `No user '${id}'.` });

/** The page cursor: the last row's (created_at, id), opaque to callers. */
export const encodeUserCursor = (row: UserRow) => encodeCursor(row.created_at, row.id);

export function decodeUserCursor(cursor: string): { createdAt: string; id: string } | undefined {
  const pair = decodeCursor(cursor);
  return pair && { createdAt: pair[0], id: pair[1] };
}

export class UserAdmin {
  constructor(private readonly deps: UserAdminDeps) {}

  async list(after: string | undefined, limit: number): Promise<{ users: AdminUserView[]; has_more: boolean; next_cursor: string | null }> {
    const cursor = after === undefined ? undefined : decodeUserCursor(after);
    if (after !== undefined && cursor === undefined)
      throw new GatewayError({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param: 'after', message: "Invalid value for 'after': not a next_cursor from this list." });
    const { users, hasMore } = await this.deps.users.page(cursor, limit);
    const views = await Promise.all(users.map((u) => this.view(u)));
    const last = users.at(-1);
    return { users: views, has_more: hasMore, next_cursor: hasMore && last ? encodeUserCursor(last) : null };
  }

  /** An account made by the operator; a password is generated (and returned once) when none is given. */
  async create(input: { email: string; password?: string | undefined; name?: string | undefined }): Promise<{ user: AdminUserView; password?: string }> {
    const password = input.password ?? generatePassword();
    const user = await this.deps.accounts.create({ email: input.email, password, name: input.name });
    return { user: await this.view(user), ...(input.password === undefined ? { password } : {}) };
  }

  async update(id: string, changes: { disabled?: boolean | undefined; daily_token_limit?: number | null | undefined; plan?: string | undefined }): Promise<AdminUserView> {
    const current = await this.deps.users.findById(id);
    if (!current) throw notFound(id);
    if (current.is_admin === 1 && changes.disabled === true) {
      throw new GatewayError({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param: 'disabled', message: 'The operator cannot be disabled.' });
    }
    if (current.is_admin === 1 && changes.daily_token_limit !== undefined) {
      throw new GatewayError({ status: 400, type: 'invalid_request_error', code: 'invalid_value', param: 'daily_token_limit', message: "The operator's own requests have no daily limit." });
    }
    const update: { disabled_at?: string | null; daily_token_limit?: number | null; plan?: string } = {};
    if (changes.plan !== undefined) update.plan = changes.plan;
    if (changes.disabled !== undefined) update.disabled_at = changes.disabled ? (current.disabled_at ?? new Date(this.deps.now()).toISOString()) : null;
    if (changes.daily_token_limit !== undefined) update.daily_token_limit = changes.daily_token_limit;
    const row = await this.deps.users.update(id, update);
    if (!row) throw notFound(id);
    this.deps.onChange(id);
    return this.view(row);
  }

  private async view(u: UserRow): Promise<AdminUserView> {
    return {
      id: u.id,
      email: u.email,
      name: u.name,
      plan: u.plan,
      is_admin: u.is_admin === 1,
      created_at: u.created_at,
      disabled: u.disabled_at !== null,
      disabled_at: u.disabled_at,
      daily_token_limit: u.daily_token_limit === null ? null : Number(u.daily_token_limit),
      tokens_used_today: await this.deps.tokensToday(u.id),
    };
  }
}
