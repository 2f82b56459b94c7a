/**
 * The benchmark's smoke run: it completes, measures every system without errors, and writes its
 * table. Figures are never asserted here: speed is the benchmark's business, not the test suite's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

describe('npm run bench -- --smoke', () => {
  it('runs every system, stops what it started, and writes the results table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cerebro-bench-smoke-'));
    const out = join(dir, 'BENCHMARKS.md');
    try {
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--duration', '250', '--out', out], { timeout: 120_000 });
      const report = readFileSync(out, 'utf8');
      assert.match(report, /<!-- bench:results:start -->/);
      for (const system of ['direct', 'bare-proxy', 'cerebro', 'cerebro+memory']) assert.match(report, new RegExp(`\\| ${system.replace('+', '\\+')} \\|`));
      assert.match(report, /### Targets/);
      assert.match(report, /\| System \| just started \| idle \| max under load \|/, 'RSS just after start and once idle');
      assert.doesNotMatch(report, /### Errors seen/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
