/** Who is calling: every request, log row, session and limit belongs to one user. */
import type { Budget } from '../accounts/budgets.js';

/** The operator (CEREBRO_API_TOKEN) is the user row `operator`, and the admin. */
export const OPERATOR_USER_ID = 'operator';

export interface Caller {
  userId: string;
  /** May see and manage every user (the operator token, or an operator's key with the `admin` scope). */
  isAdmin: boolean;
  /**
   * How the caller proved who it is. `console`: the web console's cookie session (a user's, or the
   * operator's, which may not mint admin keys: that takes the operator token itself).
   */
  via: 'operator_token' | 'jwt' | 'gateway_key' | 'console';
  /** Set when the request came with a gateway key. */
  gatewayKeyId?: string;
  /** A gateway key's scopes (`chat`, `read`, `admin`); absent for account and operator tokens. */
  scopes?: readonly string[];
  /** A gateway key's US-dollar budget, when it has one. */
  keyBudget?: Budget;
  /** An account token's id and expiry (seconds since the epoch), for signing it out. */
  token?: { jti: string | undefined; expiresAt: number };
}

/** Whether the caller acts for the operator's account (its providers and no user limits), whatever its powers. */
export const isOperatorAccount = (caller: Caller) => caller.userId === OPERATOR_USER_ID;

export const OPERATOR: Caller = Object.freeze({ userId: OPERATOR_USER_ID, isAdmin: true, via: 'operator_token' });
