/** zod validation for the JSON bodies and query strings of the management API, as OpenAI-shaped 400s. */
import type { z } from 'zod';
import { invalidRequest } from '../core/errors.js';

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest('The request body must be a JSON object.', null, 'invalid_body');
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) {
    const nul = nulPath(parsed.data, []);
    if (nul !== undefined) throw invalidRequest(`Invalid value for '${nul}': contains a NUL character`, nul);
    return parsed.data;
  }
  const issue = parsed.error.issues[0]!;
  const param = issue.path.map(String).join('.') || null;
  throw invalidRequest(param ? `Invalid value for '${param}': ${issue.message}` : issue.message, param, issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value');
}

/** Where a string holds U+0000, which Postgres text cannot store (SQLite would): refused everywhere alike. */
export function nulPath(value: unknown, path: string[]): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') || '(body)' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = nulPath(child, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}
