/** Who is calling: every request, log row, session and limit belongs to one user. */

/** The operator (CEREBRO_API_TOKEN) is the user row `operator`, and the admin. */
export const OPERATOR_USER_ID = 'operator';

export interface Caller {
  userId: string;
  isAdmin: boolean;
  /** How the caller proved who it is. */
  via: 'operator_token' | 'jwt' | 'gateway_key';
  /** Set when the request came with a gateway key. */
  gatewayKeyId?: string;
}

export const OPERATOR: Caller = Object.freeze({ userId: OPERATOR_USER_ID, isAdmin: true, via: 'operator_token' });
