import assert from 'node:assert/strict';
import { AsyncResource, executionAsyncId } from 'node:async_hooks';
import { describe, it } from 'node:test';
import { bindHasDeprecatedAccessor, useLeanAsyncResourceBind } from '../../src/http/async-resource-bind.js';

describe('lean AsyncResource.bind', () => {
  // Runs in this test process after the replacement (or on a Node that never had the accessor).
  useLeanAsyncResourceBind();

  it('leaves no deprecated asyncResource accessor on bound functions', () => {
    assert.equal(bindHasDeprecatedAccessor(), false);
  });

  it('runs the function in the resource scope, with its arguments, result and length', () => {
    const resource = new AsyncResource('test');
    const bound = resource.bind((a: number, b: number) => [executionAsyncId(), a + b] as const);
    assert.equal(bound.length, 2);
    assert.deepEqual(bound(2, 3), [resource.asyncId(), 5]);
  });

  it('uses thisArg when given, and the call-site this otherwise', () => {
    const resource = new AsyncResource('test');
    const self = { name: 'fixed' };
    // (@types/node declares bind's thisArg on the static only; the method takes it at run time too.)
    const bindWithThis = resource.bind.bind(resource) as unknown as (fn: (this: { name: string }) => string, thisArg: unknown) => (this: unknown) => string;
    const withThis = bindWithThis(function (this: { name: string }) {
      return this.name;
    }, self);
    assert.equal(withThis.call({ name: 'other' }), 'fixed');
    const callSite = resource.bind(function (this: { name: string }) {
      return this.name;
    });
    assert.equal(callSite.call({ name: 'caller' }), 'caller');
    assert.equal(AsyncResource.bind((x: number) => x * 2)(21), 42);
  });

  it('rejects a non-function like the original', () => {
    assert.throws(() => new AsyncResource('t').bind(42 as unknown as () => void), TypeError);
  });
});
