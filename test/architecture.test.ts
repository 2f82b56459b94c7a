/**
 * The architecture, held by a test: lower layers import nothing from the upper ones, the shared core
 * imports nothing at all, no runtime import cycle between modules, and files stay short.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../src/package-root.js';

const SRC = join(PACKAGE_ROOT, 'src');
const LOWER = ['core', 'providers', 'routing', 'store', 'security', 'accounts', 'cache', 'shared-state'];
const UPPER = ['gateway', 'http'];
/** Files over the limit, to be split; the list may only shrink (it is empty). */
const LONG_FILES_ALLOWED = new Set<string>();
const MAX_LINES = 400;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

interface Import {
  target: string;
  typeOnly: boolean;
}

/** A file's relative imports, resolved to paths under src/ (`.js` specifiers name `.ts` files). */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'/gm)) {
    out.push({ target: relative(SRC, normalize(join(dirname(file), m[3]!.replace(/\.js$/, '.ts')))), typeOnly: m[2] !== undefined });
  }
  for (const m of text.matchAll(/import\('(\.[^']+)'\)/g)) out.push({ target: relative(SRC, normalize(join(dirname(file), m[1]!.replace(/\.js$/, '.ts')))), typeOnly: false });
  return out;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [relative(SRC, f), importsOf(f)]));
const layerOf = (path: string) => path.split('/')[0]!;

describe('the architecture', () => {
  it('keeps lower layers (core, providers, routing, store, security, accounts, cache) free of gateway/ and http/', () => {
    const wrong = [...graph].flatMap(([from, imports]) => (LOWER.includes(layerOf(from)) ? imports.filter((i) => UPPER.includes(layerOf(i.target))).map((i) => `${from} → ${i.target}`) : []));
    assert.deepEqual(wrong, []);
  });

  it('keeps core/ to itself, and gateway/ free of http/', () => {
    const wrong = [...graph].flatMap(([from, imports]) =>
      imports.filter((i) => (layerOf(from) === 'core' && layerOf(i.target) !== 'core') || (layerOf(from) === 'gateway' && layerOf(i.target) === 'http')).map((i) => `${from} → ${i.target}`),
    );
    assert.deepEqual(wrong, []);
  });

  it('has no runtime import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string) => {
      state.set(node, 'open');
      stack.push(node);
      for (const { target, typeOnly } of graph.get(node) ?? []) {
        if (typeOnly || !graph.has(target)) continue;
        if (state.get(target) === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target].join(' → '));
        else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node);
    assert.deepEqual(cycles, []);
  });

  it(`keeps files under ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => ({ path: relative(SRC, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_LINES && !LONG_FILES_ALLOWED.has(f.path))
      .map((f) => `${f.path}: ${f.lines}`);
    assert.deepEqual(long, []);
  });

  it('its checks see the imports they judge (the parser reads this tree)', () => {
    assert.ok(graph.size > 100);
    assert.ok(graph.get('http/app.ts')!.some((i) => i.target === 'gateway/errors.ts' || i.target === 'core/errors.ts'));
    assert.ok(graph.get('routing/health.ts')!.some((i) => i.target === 'routing/attempt-observer.ts' && i.typeOnly));
  });
});
