/**
 * How every request body is read: JSON parsed the safe way (`__proto__` and `constructor` keys
 * refused), an empty body taken as no body (clients such as n8n send `content-type: application/json`
 * on a DELETE with nothing in it), and nesting bounded, since several parts of the gateway (cache keys,
 * schema translation, log redaction) walk a body recursively and a deep one would overflow the stack.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidRequest } from '../core/errors.js';

/** Deeper than any real request (a tool's JSON schema rarely passes 20 levels). */
export const MAX_JSON_DEPTH = 64;

interface Frame {
  value: object;
  depth: number;
  key: string | number | undefined;
  parent: Frame | undefined;
}

/**
 * The path of the first value nested deeper than `maxDepth` (the body itself is depth 1), or
 * undefined. Iterative, so the check itself cannot overflow; it visits each object and array once.
 */
export function tooDeepAt(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const stack: Frame[] = [{ value, depth: 1, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const children = Array.isArray(frame.value) ? frame.value.entries() : Object.entries(frame.value);
    for (const [key, child] of children) {
      if (child === null || typeof child !== 'object') continue;
      const next: Frame = { value: child, depth: frame.depth + 1, key, parent: frame };
      if (next.depth > maxDepth) return pathOf(next);
      stack.push(next);
    }
  }
  return undefined;
}

/** `tools[0].function.parameters.properties…`: the first few steps say which parameter it is. */
function pathOf(frame: Frame): string {
  const keys: Array<string | number> = [];
  for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) keys.push(f.key);
  keys.reverse();
  // Keys are the caller's: each is shortened, so the error cannot be made to echo megabytes back.
  const shown = keys.slice(0, 6).map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${k.length > 40 ? `${k.slice(0, 40)}…` : k}`));
  return shown.join('') + (keys.length > 6 ? '…' : '');
}

export const tooDeep = (path: string) => invalidRequest(`Invalid value for '${path}': nested more than ${MAX_JSON_DEPTH} levels deep`, path, 'too_deeply_nested');

/** Replaces Fastify's JSON parser (and takes any other content type as JSON, as `curl -d` sends it). */
export function useJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const parse = (request: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => {
    if (body.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, body, (err: Error | null, parsed?: unknown) => {
      if (err) return done(err);
      const deep = tooDeepAt(parsed);
      if (deep !== undefined) return done(tooDeep(deep));
      done(null, parsed);
    });
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parse);
  app.addContentTypeParser('*', { parseAs: 'string' }, parse);
}
