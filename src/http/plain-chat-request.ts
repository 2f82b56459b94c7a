/**
 * The common chat request, recognised without zod: text turns, a model, `stream` and the usual
 * sampling fields. Walking the full schema (tools, images, response formats, a dozen nullable
 * fields) was the largest single cost of parsing a request on the hot path.
 *
 * This only ever *accepts*: a body it is unsure about, valid or not, goes to the schema, which
 * also words every error. So it must never accept what the schema refuses, and must return what
 * the schema would; test/http/plain-chat-request.test.ts holds it to both on generated bodies.
 */
import type { z } from 'zod';
import type { chatRequestSchema } from './chat-request.js';
import { MODEL_NAME_PATTERN, SESSION_ID_PATTERN } from './request-patterns.js';

type ChatRequest = z.infer<typeof chatRequestSchema>;

const PLAIN_ROLES = new Set(['system', 'developer', 'user', 'assistant']);

/** Each plain field's check (a Map: body keys such as `constructor` must not find Object's own); any other field sends the body to the schema. */
const FIELDS = new Map<string, (value: unknown) => boolean>(
  Object.entries({
    model: (v: unknown) => typeof v === 'string' && MODEL_NAME_PATTERN.test(v),
    messages: isPlainMessageList,
    stream: (v: unknown) => typeof v === 'boolean',
    temperature: (v: unknown) => isNumberIn(v, 0, 2),
    top_p: (v: unknown) => isNumberIn(v, 0, 1),
    max_tokens: isPositiveInteger,
    max_completion_tokens: isPositiveInteger,
    session_id: (v: unknown) => typeof v === 'string' && SESSION_ID_PATTERN.test(v),
    priority: (v: unknown) => v === 'high' || v === 'normal',
    cache: (v: unknown) => typeof v === 'boolean',
  }),
);

function isNumberIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && v >= min && v <= max;
}

function isPositiveInteger(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

function isPlainMessageList(v: unknown): boolean {
  if (!Array.isArray(v) || v.length === 0) return false;
  // Indexed, not every(): a hole must not be skipped.
  for (let i = 0; i < v.length; i++) if (!(i in v) || !isPlainMessage(v[i])) return false;
  return true;
}

function isPlainMessage(m: unknown): boolean {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
  let role = false;
  let content = false;
  for (const key in m) {
    const value = (m as Record<string, unknown>)[key];
    if (key === 'role') role = typeof value === 'string' && PLAIN_ROLES.has(value);
    else if (key === 'content') content = typeof value === 'string';
    else if (key !== 'name' || typeof value !== 'string') return false;
  }
  return role && content && Object.getPrototypeOf(m) === Object.prototype;
}

/** The body as the schema would return it, when it is a plain request; undefined otherwise. */
export function plainChatRequest(body: object): ChatRequest | undefined {
  if (Object.getPrototypeOf(body) !== Object.prototype) return undefined;
  let messages = false;
  for (const key in body) {
    const check = FIELDS.get(key);
    const value = (body as Record<string, unknown>)[key];
    if (check === undefined || value === undefined || value === null || !check(value)) return undefined;
    if (key === 'messages') messages = true;
  }
  return messages ? (body as ChatRequest) : undefined;
}
