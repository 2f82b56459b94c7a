import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { classify, complexityOf, estimateTokens, taskType, tokenScore } from '../../src/routing/classifier.js';
import { LABELLED_PROMPTS } from './fixtures/labelled-prompts.js';

describe('classifier', () => {
  it('places every labelled prompt (English and Spanish, all four classes)', () => {
    const wrong: string[] = [];
    for (const p of LABELLED_PROMPTS) {
      const c = classify([{ role: 'user', content: p.prompt }]);
      if (c.complexity !== p.label) wrong.push(`${p.lang} ${p.label} → ${c.complexity} (${c.score}): ${p.prompt.slice(0, 60)}`);
    }
    assert.deepEqual(wrong, []);
    for (const lang of ['en', 'es'])
      for (const label of ['simple', 'moderate', 'complex', 'expert'])
        assert.ok(
          LABELLED_PROMPTS.some((p) => p.lang === lang && p.label === label),
          `${lang} ${label}`,
        );
  });

  it('tells the task types apart, in both languages', () => {
    const table: Array<[string, string]> = [
      ['What time is it in Tokyo?', 'question_answering'],
      ['¿Qué hora es en Tokio?', 'question_answering'],
      ['Write a poem about the sea', 'creative'],
      ['Escribe un poema sobre el mar', 'creative'],
      ['Compare Postgres and MySQL', 'analysis'],
      ['Compara Postgres y MySQL', 'analysis'],
      ['Fix this Python function', 'coding'],
      ['Arregla esta función de Python', 'coding'],
      ['Prove that the square root of 2 is irrational', 'reasoning'],
      ['Demuestra que la raíz de 2 es irracional', 'reasoning'],
    ];
    for (const [text, type] of table) assert.equal(taskType(text).type, type, text);
  });

  it('counts special-token markers as text, and knows accented Spanish words', () => {
    assert.doesNotThrow(() => classify([{ role: 'user', content: 'What does <|endoftext|> or <|im_start|> mean in ChatML?' }]));
    assert.equal(classify([{ role: 'user', content: 'el índice de la transacción' }]).features.technical_terms, 2);
    assert.equal(taskType('explica por qué el cielo es azul').type, 'analysis');
    assert.equal(taskType('¿Qué es una función recursiva?').type, 'coding');
  });

  it('estimates tokens as o200k counts them, extrapolating long prompts closely', () => {
    assert.equal(estimateTokens('Hello, world!'), countTokens('Hello, world!'));
    const long = 'The distributed storage migration moves every tenant to the new cluster, and then some more. '.repeat(1_000);
    const exact = countTokens(long);
    assert.ok(long.length > 32_000, 'long enough to be extrapolated');
    assert.ok(Math.abs(estimateTokens(long) - exact) / exact < 0.1, `${estimateTokens(long)} against ${exact}`);
    const c = classify([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
    ]);
    assert.equal(c.estimated_tokens, estimateTokens('You are terse.') + estimateTokens('Hi') + 8);
    assert.equal(c.estimated_tokens, countTokens('You are terse.') + countTokens('Hi') + 8);
  });

  it('scores size on a saturating log scale and maps scores to classes', () => {
    assert.equal(tokenScore(0), 0);
    assert.ok(tokenScore(10) < tokenScore(100) && tokenScore(100) < tokenScore(1000));
    assert.equal(tokenScore(50_000), 1);
    assert.deepEqual([0.1, 0.3, 0.5, 0.9].map(complexityOf), ['simple', 'moderate', 'complex', 'expert']);
  });
});
