/** Plain HTTP calls to a running gateway, and accounts made through its API. */
import assert from 'node:assert/strict';
import type { Stack } from './stack.js';

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export type Call = (method: string, path: string, token: string | undefined, body?: unknown, headers?: Record<string, string>) => Promise<Answer>;

export function caller(stack: () => Stack): Call {
  return async (method, path, token, body, extra = {}) => {
    const headers: Record<string, string> = { ...extra };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${stack().url}${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
}

export const PASSWORD = 'Correct-Horse-9';

/** Signs up through the API (sign-up must be open); returns the account token and the user's id. */
export async function signup(call: Call, email: string, password = PASSWORD): Promise<{ token: string; userId: string }> {
  const res = await call('POST', '/api/auth/signup', undefined, { email, password });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { token: res.body.access_token as string, userId: res.body.user.id as string };
}

/** A gateway key of the account's (or the operator's). */
export async function gatewayKey(call: Call, token: string, body: Record<string, unknown> = {}): Promise<{ key: string; id: string }> {
  const res = await call('POST', '/api/keys/gateway', token, body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { key: res.body.key as string, id: res.body.id as string };
}

export const chatBody = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'auto', messages: [{ role: 'user', content }], ...extra });
