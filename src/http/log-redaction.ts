/**
 * Secrets out of log lines, by key name, at any depth: a property called `authorization`,
 * `password`, `token`, `apiKey` (and the like) is written as "[redacted]".
 *
 * Why not pino's own `redact` option: with wildcard paths it clones every logged object and builds a
 * closure for each line, whether or not anything matches. The access log writes a line per request,
 * so that was about a sixth of everything the gateway allocated per request. This walk allocates
 * nothing for a clean object, and copies only the objects on the way to a secret (the caller's own
 * object is never changed).
 */

/** Property names whose values are never logged, compared in lower case. */
const SECRET_KEYS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-goog-api-key', 'apikey', 'api_key', 'password', 'token', 'secret', 'key']);

export const CENSOR = '[redacted]';

/** Nesting deeper than this is not walked (nor written): log objects are shallow. */
const MAX_DEPTH = 8;
/** Objects walked per line at most: a logged object that reaches a socket or a client must not stall the loop. */
const MAX_NODES = 1_000;

/** What stands for what is not walked: a cycle back to an enclosing object, or more than the budget. */
export const CIRCULAR = '[Circular]';
export const TRUNCATED = '[Truncated]';

const isSecretKey = (name: string) => SECRET_KEYS.has(name.toLowerCase());

/** What one walk has seen: each object once (shared objects), and a budget. */
interface Walk {
  /** Objects already walked → what they became (themselves when clean, a copy otherwise). */
  done: Map<object, unknown>;
  /** The objects enclosing the current one: met again, they are a cycle. */
  path: Set<object>;
  nodes: number;
}

/**
 * The object with every secret-named property censored: the same object when there is none,
 * otherwise a copy (sharing whatever holds no secret). Errors keep their prototype, message and
 * stack. A cycle in a copied object becomes "[Circular]" (the original would lead back to the
 * secret), and whatever lies beyond the depth or node budget "[Truncated]": nothing unwalked is
 * written as it was.
 */
export function redactSecrets<T>(value: T): T {
  if (value === null || typeof value !== 'object' || flatAndClean(value)) return value;
  return scrub(value, 0, { done: new Map(), path: new Set(), nodes: 0 }) as T;
}

/** The usual line (the access log's): only primitive values, none under a secret name. Nothing to walk or allocate. */
function flatAndClean(value: object): boolean {
  if (Array.isArray(value) || value instanceof Error) return false;
  const source = value as Record<string, unknown>;
  for (const name of Object.keys(source)) {
    const item = source[name];
    if ((typeof item === 'object' && item !== null) || (isSecretKey(name) && item !== undefined && item !== null)) return false;
  }
  return true;
}

/** Objects whose contents are data, not properties: written by their own rules, never holding keys. */
function opaque(value: object): boolean {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp;
}

function scrub(value: unknown, depth: number, walk: Walk): unknown {
  if (value === null || typeof value !== 'object' || opaque(value)) return value;
  const seen = walk.done.get(value);
  if (seen !== undefined) return seen;
  if (walk.path.has(value)) return CIRCULAR;
  if (depth > MAX_DEPTH || ++walk.nodes > MAX_NODES) return TRUNCATED;
  walk.path.add(value);
  const result = Array.isArray(value) ? scrubArray(value, depth, walk) : scrubObject(value, depth, walk);
  walk.path.delete(value);
  walk.done.set(value, result);
  return result;
}

function scrubArray(value: unknown[], depth: number, walk: Walk): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const clean = scrub(item, depth + 1, walk);
    if (clean !== item) (copy ??= value.slice())[i] = clean;
  }
  return copy ?? value;
}

function scrubObject(value: object, depth: number, walk: Walk): object {
  let copy: Record<string, unknown> | undefined;
  const source = value as Record<string, unknown>;
  for (const name of Object.keys(source)) {
    const item = source[name];
    const clean = isSecretKey(name) && item !== undefined && item !== null ? CENSOR : scrub(item, depth + 1, walk);
    if (clean !== item) (copy ??= shallowCopy(value))[name] = clean;
  }
  return copy ?? value;
}

/** A copy with the same prototype; an Error's non-enumerable message and stack come along. */
function shallowCopy(value: object): Record<string, unknown> {
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  const names = value instanceof Error ? Object.getOwnPropertyNames(value) : Object.keys(value);
  for (const name of names) copy[name] = (value as Record<string, unknown>)[name];
  return copy;
}
