/**
 * Router evaluation, pure: given, per prompt, whether a weak and a strong model answered it right
 * and the router's difficulty score, how much quality each share of strong-model calls buys,
 * against a random router at the same share (quality on the straight line from weak to strong).
 */
import { createHash } from 'node:crypto';

export interface EvalItem {
  prompt: string;
  weakCorrect: boolean;
  strongCorrect: boolean;
  /** The router's difficulty score: higher means "needs the strong model" (the classifier's 0–1 score). */
  score: number;
}

export interface OperatingPoint {
  threshold: number;
  /** Share of prompts sent to the strong model. */
  strongShare: number;
  /** Share answered correctly when routed this way. */
  quality: number;
  /** A random router's quality at the same share. */
  randomQuality: number;
}

/** A fixed, seeded split: the same prompt always lands in the same half. */
export function isFitSplit(prompt: string, seed = 'cerebro-router-eval-1'): boolean {
  return createHash('sha256').update(seed).update(prompt).digest()[0]! < 128;
}

export function accuracy(items: readonly EvalItem[], which: 'weak' | 'strong'): number {
  return items.filter((i) => (which === 'weak' ? i.weakCorrect : i.strongCorrect)).length / items.length;
}

/** Route to the strong model when score ≥ threshold. */
export function operatingPoint(items: readonly EvalItem[], threshold: number): OperatingPoint {
  let strong = 0;
  let correct = 0;
  for (const i of items) {
    const toStrong = i.score >= threshold;
    if (toStrong) strong++;
    if (toStrong ? i.strongCorrect : i.weakCorrect) correct++;
  }
  const share = strong / items.length;
  const weak = accuracy(items, 'weak');
  return { threshold, strongShare: share, quality: correct / items.length, randomQuality: weak + share * (accuracy(items, 'strong') - weak) };
}

/** Every distinct threshold, from "everything strong" to "nothing strong". */
export function curve(items: readonly EvalItem[]): OperatingPoint[] {
  const thresholds = [...new Set(items.map((i) => i.score))].sort((a, b) => a - b);
  return [...thresholds, Infinity].map((t) => operatingPoint(items, t));
}

/** The highest threshold (fewest strong calls) whose quality reaches `target`, fitted on one split. */
export function fitThreshold(items: readonly EvalItem[], target: number): number {
  const points = curve(items).filter((p) => p.quality >= target);
  return points.reduce((best, p) => (p.threshold > best ? p.threshold : best), -Infinity);
}

/**
 * Average performance gap recovered (RouteLLM's APGR): the mean, over strong-call shares, of
 * (quality − weak) / (strong − weak). A random router scores 0.5; an oracle scores near 1.
 */
export function apgr(items: readonly EvalItem[]): number {
  const weak = accuracy(items, 'weak');
  const gap = accuracy(items, 'strong') - weak;
  const points = curve(items).sort((a, b) => a.strongShare - b.strongShare);
  let area = 0;
  for (let k = 1; k < points.length; k++) {
    const a = points[k - 1]!;
    const b = points[k]!;
    area += (b.strongShare - a.strongShare) * ((a.quality + b.quality) / 2 - weak);
  }
  return area / gap;
}
