import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anthropicErrorType, anthropicStatusOf } from '../../src/providers/anthropic/error-types.js';

describe("Anthropic's error types", () => {
  it('map to their statuses and back', () => {
    for (const type of [
      'invalid_request_error',
      'authentication_error',
      'billing_error',
      'permission_error',
      'not_found_error',
      'request_too_large',
      'rate_limit_error',
      'api_error',
      'timeout_error',
      'overloaded_error',
    ]) {
      assert.equal(anthropicErrorType(anthropicStatusOf(type)), type);
    }
  });

  it('write 503 as overload, other statuses by class, and read an unknown type as a server error', () => {
    assert.equal(anthropicErrorType(503), 'overloaded_error');
    assert.equal(anthropicErrorType(502), 'api_error');
    assert.equal(anthropicErrorType(422), 'invalid_request_error');
    assert.equal(anthropicStatusOf('something_new'), 500);
  });
});
