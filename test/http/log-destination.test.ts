/** The log's destination: lines gathered into fewer writes, and none lost when the process exits. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { logDestination } from '../../src/http/logger-options.js';
import { flushLog } from '../../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'cerebro-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

describe('logDestination', () => {
  it('gathers short lines instead of writing each one, and still writes them within a moment', async () => {
    const file = join(dir, 'gathered.log');
    const stream = logDestination(file);
    const log = pino(stream);
    log.info({ n: 1 }, 'first');
    log.info({ n: 2 }, 'second');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(read(file), '', 'two short lines are held, not written one by one');
    const deadline = Date.now() + 5000;
    while (read(file).split('\n').filter(Boolean).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const lines = read(file)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string });
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['first', 'second'],
      'written without a flush from the caller',
    );
    stream.end();
  });

  it('writes what it holds to stdout when the process exits, also on an uncaught exception', () => {
    const module = new URL('../../src/http/logger-options.ts', import.meta.url).href;
    for (const [name, ending] of [
      ['exit', 'process.exit(0);'],
      ['crash', "throw new Error('boom');"],
    ] as const) {
      const script = `import { pino } from 'pino'; import { logDestination } from ${JSON.stringify(module)}; pino(logDestination(1)).info('last words'); ${ending}`;
      let stdout: string;
      try {
        stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        if (name !== 'crash') throw err;
        stdout = String((err as { stdout?: unknown }).stdout);
      }
      assert.match(stdout, /"msg":"last words"/, `the line survives the ${name}`);
    }
  });

  it('flushLog writes the gathered lines at once, and never waits longer than its limit', async () => {
    const file = join(dir, 'flushed.log');
    const stream = logDestination(file);
    const log = pino(stream);
    await new Promise((resolve) => stream.once('ready', resolve));
    log.info('before the banner');
    await flushLog(log);
    assert.match(read(file), /before the banner/, 'written by the time flushLog resolves, not 250 ms later');
    stream.end();

    const stuck = { flush: () => undefined } as unknown as Parameters<typeof flushLog>[0];
    const started = Date.now();
    await flushLog(stuck, 50);
    assert.ok(Date.now() - started >= 40, 'a flush that never answers is waited for up to the limit');
    await flushLog({} as Parameters<typeof flushLog>[0]);
  });
});
