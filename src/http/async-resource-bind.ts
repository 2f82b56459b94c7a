/**
 * Node 20's `AsyncResource.prototype.bind` gives every bound function a deprecated `asyncResource`
 * accessor (DEP0172) whose getter comes from `util.deprecate`, which makes young-generation GCs far
 * slower (BENCHMARKS.md), and Fastify binds one per request body.
 *
 * This replaces `bind` with the same behaviour minus the deprecated accessor: the bound function
 * runs `fn` in the resource's async scope, with `thisArg` (or its own `this`) as `this`.
 * Applied once at start-up, and only where the accessor exists.
 * @see https://nodejs.org/api/deprecations.html#DEP0172
 */
import { AsyncResource } from 'node:async_hooks';

let applied = false;

/** Whether this Node's bind still defines the deprecated accessor. */
export function bindHasDeprecatedAccessor(): boolean {
  const bound = new AsyncResource('probe').bind(() => undefined);
  return Object.getOwnPropertyDescriptor(bound, 'asyncResource')?.get !== undefined;
}

export function useLeanAsyncResourceBind(): boolean {
  if (applied || !bindHasDeprecatedAccessor()) return applied;
  AsyncResource.prototype.bind = function bind<Func extends (...args: never[]) => unknown>(this: AsyncResource, fn: Func, thisArg?: unknown): Func {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
    // The bound function has its own `this` (the caller's), so the resource is kept by name.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const resource = this;
    const bound = function (this: unknown, ...args: unknown[]) {
      return resource.runInAsyncScope(fn as unknown as (...a: unknown[]) => unknown, thisArg === undefined ? this : thisArg, ...args);
    };
    Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
    return bound as unknown as Func;
  };
  applied = true;
  return applied;
}
