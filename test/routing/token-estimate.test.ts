/**
 * The table-free token estimate, held to the exact o200k count (gpt-tokenizer, a development
 * dependency only) on several kinds of text. The classifier reads sizes on a log scale, where 15 %
 * moves a score by about 0.01, so these tolerances are well inside what routing can notice.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { approximateTokens } from '../../src/routing/token-estimate.js';
import { classify, complexityOf, tokenScore } from '../../src/routing/classifier.js';
import { failInCi, needs } from '../helpers/requirements.js';

const AS_TEXT = { disallowedSpecial: new Set<string>() };
const ROOT = join(import.meta.dirname, '..', '..');
/** RouteLLM's MMLU prompts: shared/ beside the repository unless ROUTING_DATA_DIR says otherwise. */
const MMLU = join(process.env.ROUTING_DATA_DIR ?? join(ROOT, '..', 'shared', 'data', 'routing'), 'mmlu');
const MMLU_MISSING = existsSync(MMLU) ? undefined : `no MMLU prompts at ${MMLU}; set ROUTING_DATA_DIR to shared/data/routing`;

function mmluPrompts(perSubject: number): string[] {
  return readdirSync(MMLU)
    .filter((f) => f.endsWith('.csv'))
    .flatMap((f) => (parse(readFileSync(join(MMLU, f)), { columns: true }) as Array<{ prompt: string }>).slice(0, perSubject).map((r) => r.prompt));
}

const paragraphs = (file: string) =>
  readFileSync(join(ROOT, file), 'utf8')
    .split(/\n\n+/)
    .filter((p) => p.length > 80);

/** The estimate over the exact count, summed, and the median error per text. */
function compare(texts: readonly string[]): { ratio: number; medianError: number } {
  let estimated = 0;
  let exact = 0;
  const errors: number[] = [];
  for (const text of texts) {
    const a = approximateTokens(text);
    const b = countTokens(text, AS_TEXT);
    estimated += a;
    exact += b;
    errors.push(Math.abs(a - b) / b);
  }
  errors.sort((x, y) => x - y);
  return { ratio: estimated / exact, medianError: errors[Math.floor(errors.length / 2)]! };
}

describe('token estimate', () => {
  const cases: Array<[string, () => string[], number, number]> = [
    ['English prose (docs/ARCHITECTURE.md)', () => paragraphs('docs/ARCHITECTURE.md'), 0.1, 0.12],
    ['Spanish prose (README.es.md)', () => paragraphs('README.es.md'), 0.08, 0.12],
    ['TypeScript and JavaScript source', () => [...paragraphs('src/gateway/executor.ts'), ...paragraphs('src/http/chat-request.ts'), ...paragraphs('node_modules/pg/lib/client.js')], 0.15, 0.15],
    ['JSON', () => [readFileSync(join(ROOT, 'data', 'models.json'), 'utf8')], 0.1, 0.1],
    [
      'Other scripts (Cyrillic, Chinese, Japanese, Korean, Arabic, Greek, Devanagari)',
      () => [
        'Объясни, как работает алгоритм быстрой сортировки, и оцени его сложность в среднем и в худшем случае.',
        '请解释一下快速排序算法的工作原理，并分析它在平均情况和最坏情况下的时间复杂度。',
        'クイックソートのアルゴリズムがどのように動作するかを説明し、平均と最悪の場合の計算量を評価してください。',
        '서울은 대한민국의 수도이며 가장 큰 도시입니다. 서울의 역사에 대해 설명해 주세요.',
        'القاهرة هي عاصمة مصر وأكبر مدينة في العالم العربي. من فضلك اشرح تاريخها وهندستها المعمارية.',
        'Η Αθήνα είναι η πρωτεύουσα της Ελλάδας. Εξήγησε την ιστορία της και την αρχιτεκτονική της.',
        'दिल्ली भारत की राजधानी है। कृपया इसके इतिहास और वास्तुकला के बारे में बताइए।',
      ],
      0.15,
      0.3,
    ],
  ];
  for (const [name, texts, total, median] of cases) {
    it(`${name}: within ${total * 100} % in total, ${median * 100} % per text (median)`, () => {
      const { ratio, medianError } = compare(texts());
      assert.ok(Math.abs(ratio - 1) <= total, `total ratio ${ratio.toFixed(3)}`);
      assert.ok(medianError <= median, `median error ${medianError.toFixed(3)}`);
    });
  }

  it('is zero for nothing, counts a lone word, and prices whitespace and digits like the pre-tokenizer', () => {
    assert.equal(approximateTokens(''), 0);
    assert.equal(approximateTokens('hello'), 1);
    assert.equal(approximateTokens('hello world'), 2);
    assert.equal(approximateTokens('1234567'), 3);
    assert.equal(approximateTokens('a\n    b'), 3);
  });
});

describe('token estimate on MMLU prompts', needs(MMLU_MISSING), () => {
  failInCi(MMLU_MISSING);

  it('English exam questions (MMLU): within 8 % in total, 10 % per text (median)', () => {
    const { ratio, medianError } = compare(mmluPrompts(20));
    assert.ok(Math.abs(ratio - 1) <= 0.08, `total ratio ${ratio.toFixed(3)}`);
    assert.ok(medianError <= 0.1, `median error ${medianError.toFixed(3)}`);
  });

  it('leaves almost every MMLU prompt in the class the exact count gives', () => {
    // The classifier's score with the exact count in place of the estimate (same weights, same classes).
    const prompts = mmluPrompts(40);
    let same = 0;
    for (const prompt of prompts) {
      const estimated = classify([{ role: 'user', content: prompt }]);
      const exactScore = 0.6 * tokenScore(countTokens(prompt, AS_TEXT) + 4) + 0.2 * estimated.features.lexical_score + 0.2 * estimated.features.task_score;
      if (complexityOf(exactScore) === estimated.complexity) same++;
    }
    assert.ok(same / prompts.length >= 0.98, `${same} of ${prompts.length}`);
  });
});
