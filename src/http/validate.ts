/** zod validation for the JSON bodies and query strings of the management API, as OpenAI-shaped 400s. */
import type { z } from 'zod';
import { invalidRequest } from '../gateway/errors.js';

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest('The request body must be a JSON object.', null, 'invalid_body');
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = issue.path.map(String).join('.') || null;
  throw invalidRequest(param ? `Invalid value for '${param}': ${issue.message}` : issue.message, param, issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value');
}
