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

/** Nesting deeper than this is left as it is: log objects are shallow, and cycles must end. */
const MAX_DEPTH = 8;

const isSecretKey = (name: string) => SECRET_KEYS.has(name.toLowerCase());

/**
 * The object with every secret-named property censored: the same object when there is none,
 * otherwise a copy (sharing whatever holds no secret). Errors keep their prototype, message and stack.
 */
export function redactSecrets<T>(value: T): T {
  return scrub(value, 0) as T;
}

function scrub(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const clean = scrub(item, depth + 1);
      if (clean !== item) (copy ??= value.slice())[i] = clean;
    }
    return copy ?? value;
  }
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof Date || value instanceof Map || value instanceof Set) return value;
  let copy: Record<string, unknown> | undefined;
  const source = value as Record<string, unknown>;
  for (const name in source) {
    if (!Object.prototype.hasOwnProperty.call(source, name)) continue;
    const item = source[name];
    const clean = isSecretKey(name) && item !== undefined && item !== null ? CENSOR : scrub(item, depth + 1);
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
