/**
 * `npm run eval:router`: the auto-router's "does this prompt need a strong model?" decision on
 * RouteLLM's MMLU data (../shared/data/routing): the share of prompts sent to a strong-tier model
 * and the quality that buys, against random routing at the same share. The router's signal is the
 * classifier's score; its threshold is fitted on one half (a seeded hash of the prompt) and
 * everything is reported on the other half only. Writes its section of BENCHMARKS.md.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { classify, complexityOf } from '../src/routing/classifier.js';
import { accuracy, apgr, fitThreshold, isFitSplit, operatingPoint, type EvalItem } from './router-eval.js';

const root = process.cwd();
const dataDir = join(root, '..', 'shared', 'data', 'routing', 'mmlu');
const outFile = process.argv.includes('--no-write') ? undefined : join(root, 'BENCHMARKS.md');
if (!existsSync(dataDir)) {
  process.stderr.write(`no routing data at ${dataDir}\n`);
  process.exit(1);
}

const contaminated = new Set(
  readFileSync(join(dataDir, 'contaminated_prompts.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const v = JSON.parse(l) as unknown;
      return typeof v === 'string' ? v : String((v as { train_prompt?: unknown }).train_prompt ?? '');
    }),
);

const items: EvalItem[] = [];
for (const file of readdirSync(dataDir)
  .filter((f) => f.endsWith('.csv'))
  .sort()) {
  const rows = parse(readFileSync(join(dataDir, file), 'utf8'), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  for (const row of rows) {
    const prompt = row['prompt'] ?? '';
    if (contaminated.has(prompt)) continue;
    const c = classify([{ role: 'user', content: prompt }]);
    items.push({ prompt, weakCorrect: row['mistralai/Mixtral-8x7B-Instruct-v0.1'] === 'True', strongCorrect: row['gpt-4-1106-preview'] === 'True', score: c.score });
  }
}

const fit = items.filter((i) => isFitSplit(i.prompt));
const judged = items.filter((i) => !isFitSplit(i.prompt));
const weak = accuracy(judged, 'weak');
const strong = accuracy(judged, 'strong');
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

// 1. As shipped: the score policy sends complex and expert prompts to strong-tier models.
const shipped = operatingPoint(judged, 0.45);
// 2. The threshold that reaches 95 % of the strong model's quality on the fit half.
const target = 0.95 * accuracy(fit, 'strong');
const fitted = fitThreshold(fit, target);
const atFitted = operatingPoint(judged, fitted);
const classes = new Map<string, number>();
for (const i of judged) classes.set(complexityOf(i.score), (classes.get(complexityOf(i.score)) ?? 0) + 1);

const lines = [
  `Run: \`npm run eval:router\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. ${items.length.toLocaleString('en')} MMLU prompts (contaminated ones removed), split by a seeded hash of the prompt: ${fit.length.toLocaleString('en')} to fit the threshold on, ${judged.length.toLocaleString('en')} judged (every figure below is on the judged half).`,
  '',
  `Weak model (Mixtral 8x7B) ${pct(weak)} correct, strong model (GPT-4) ${pct(strong)}. The router's classes on these prompts: ${[...classes.entries()].map(([k, v]) => `${k} ${pct(v / judged.length)}`).join(', ')}.`,
  '',
  '| Router | Strong-model calls | Quality | Random at the same share | Gain over random | Share of strong quality |',
  '| --- | --- | --- | --- | --- | --- |',
  `| As shipped (\`score\` policy: complex and expert go strong) | ${pct(shipped.strongShare)} | ${pct(shipped.quality)} | ${pct(shipped.randomQuality)} | ${(100 * (shipped.quality - shipped.randomQuality)).toFixed(2)} pts | ${pct(shipped.quality / strong)} |`,
  `| Threshold fitted for 95 % of strong quality (score ≥ ${fitted.toFixed(3)}) | ${pct(atFitted.strongShare)} | ${pct(atFitted.quality)} | ${pct(atFitted.randomQuality)} | ${(100 * (atFitted.quality - atFitted.randomQuality)).toFixed(2)} pts | ${pct(atFitted.quality / strong)} |`,
  '',
  `APGR (average performance gap recovered over every share; random = 0.5, perfect ranking ≈ 1): **${apgr(judged).toFixed(3)}**.`,
];
const report = lines.join('\n');
process.stdout.write(`${report}\n`);

if (outFile) {
  const START = '<!-- eval:router:start -->';
  const END = '<!-- eval:router:end -->';
  const block = `${START}\n${report}\n${END}`;
  const existing = readFileSync(outFile, 'utf8');
  writeFileSync(outFile, existing.includes(START) ? existing.replace(new RegExp(`${START}[\\s\\S]*?${END}`), () => block) : `${existing.trimEnd()}\n\n## Router evaluation (MMLU)\n\n${block}\n`);
  process.stdout.write(`\nwritten to ${outFile}\n`);
}
