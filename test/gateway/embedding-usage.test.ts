import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { estimatedUsage } from '../../src/gateway/embedding-service.js';

describe('embedding usage when the upstream reports none', () => {
  it('counts prose close to o200k, token arrays by length', () => {
    const text = 'Embeddings turn text into vectors, so that similar meanings end up close together.';
    const usage = estimatedUsage([text, text]);
    assert.ok(Math.abs(usage.promptTokens - 2 * countTokens(text)) <= 4, `${usage.promptTokens}`);
    assert.equal(usage.totalTokens, usage.promptTokens);
    assert.equal(estimatedUsage([[1, 2, 3], [4]]).promptTokens, 4);
  });

  it('never counts less than a token per 5 characters, so random letters cannot stretch a daily limit five-fold', () => {
    let seed = 7;
    const letter = () => String.fromCharCode(97 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 26));
    const words = Array.from({ length: 2_000 }, () => Array.from({ length: 9 }, letter).join('')).join(' ');
    const counted = estimatedUsage([words]).promptTokens;
    assert.ok(counted >= Math.ceil(words.length / 5), `${counted} for ${words.length} characters`);
    // The estimate alone would count each word as one token: a fifth of o200k's count.
    assert.ok(counted >= 2 * words.split(' ').length, `${counted} against o200k's ${countTokens(words)}`);
  });
});
