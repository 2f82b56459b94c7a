import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToolCallId, signatureOf, withSignature } from '../../src/providers/tool-call-id.js';

describe('tool call ids carrying a thought signature', () => {
  it('round-trips any base64 signature, and the id fits Anthropic’s id pattern', () => {
    for (const signature of ['c2ln', 'ab+/cd==', 'Zm9vYmFy+/+/', 'QQ==']) {
      const id = withSignature('call_abc', signature);
      assert.match(id, /^[a-zA-Z0-9_-]+$/);
      assert.equal(signatureOf(id), signature);
      assert.equal(plainToolCallId(id), 'call_abc');
    }
  });

  it('leaves ids without a signature alone', () => {
    assert.equal(withSignature('toolu_1', undefined), 'toolu_1');
    assert.equal(plainToolCallId('toolu_1'), 'toolu_1');
    assert.equal(signatureOf('toolu_1'), undefined);
  });
});
