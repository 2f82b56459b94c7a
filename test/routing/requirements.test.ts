import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { missingCapabilities, requirementsOf } from '../../src/routing/requirements.js';

describe('what a request requires of a model', () => {
  const text = [{ role: 'user' as const, content: 'hi' }];

  it('plain text requires nothing', () => {
    assert.deepEqual(requirementsOf(text, {}), { tools: false, vision: false, json: false });
  });

  it('tools offered, or calls and results already in the conversation, require tools', () => {
    assert.equal(requirementsOf(text, { tools: [{ name: 'f' }] }).tools, true);
    assert.equal(requirementsOf(text, { tools: [] }).tools, false);
    const history = [...text, { role: 'assistant' as const, content: '', toolCalls: [{ id: 'c', name: 'f', arguments: '{}' }] }, { role: 'tool' as const, content: 'r', toolCallId: 'c' }];
    assert.equal(requirementsOf(history, {}).tools, true);
  });

  it('an image part requires vision; a response format requires JSON', () => {
    const image = [{ role: 'user' as const, content: 'x', parts: [{ type: 'image' as const, image: { kind: 'url' as const, url: 'https://x/y.png' } }] }];
    assert.deepEqual(requirementsOf(image, { responseFormat: { type: 'json_object' } }), { tools: false, vision: true, json: true });
  });

  it('names what a model lacks', () => {
    assert.deepEqual(missingCapabilities({ tools: true, vision: true, json: false }, { tools: true, vision: false, json: false }), ['images']);
    assert.deepEqual(missingCapabilities({ tools: true, vision: false, json: true }, { tools: false, vision: false, json: false }), ['tools', 'JSON output']);
  });
});
