import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracy, apgr, curve, fitThreshold, isFitSplit, operatingPoint, type EvalItem } from '../../eval/router-eval.js';

const item = (score: number, weakCorrect: boolean, strongCorrect: boolean, prompt = `p${score}`): EvalItem => ({ prompt, score, weakCorrect, strongCorrect });
// Weak fails exactly the two hardest prompts; strong answers everything.
const items = [item(0.1, true, true), item(0.2, true, true), item(0.8, false, true), item(0.9, false, true)];

describe('router evaluation', () => {
  it('computes quality and the random baseline at a share', () => {
    assert.equal(accuracy(items, 'weak'), 0.5);
    const p = operatingPoint(items, 0.5);
    assert.deepEqual(p, { threshold: 0.5, strongShare: 0.5, quality: 1, randomQuality: 0.75 });
    assert.equal(operatingPoint(items, Infinity).quality, 0.5);
    assert.equal(curve(items).length, 5);
  });

  it('fits the fewest strong calls that reach a target, and scores a perfect ranking near 1 and a reversed one near 0', () => {
    assert.equal(fitThreshold(items, 1), 0.8);
    assert.ok(apgr(items) > 0.7);
    const reversed = items.map((i) => ({ ...i, score: 1 - i.score }));
    assert.ok(apgr(reversed) < 0.3);
  });

  it('splits prompts deterministically, about half and half', () => {
    const prompts = Array.from({ length: 2000 }, (_, i) => `prompt ${i}`);
    assert.deepEqual(
      prompts.map((p) => isFitSplit(p)),
      prompts.map((p) => isFitSplit(p)),
    );
    const fit = prompts.filter((p) => isFitSplit(p)).length;
    assert.ok(fit > 900 && fit < 1100);
  });
});
