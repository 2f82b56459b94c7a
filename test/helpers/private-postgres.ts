/**
 * A Postgres of the test's own, to stop and start at will: a cluster in a temporary directory on a
 * free port, made with `initdb` and run with `pg_ctl` as the `postgres` user (never the machine's
 * shared server, which other tests use). Everything it starts is stopped and removed by `destroy()`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivatePostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/** Why a private cluster cannot be made here, or undefined when it can. */
export async function privatePostgresMissing(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'the tests must run as root to start a Postgres cluster as the postgres user';
  try {
    await run('runuser', ['-u', 'postgres', '--', 'initdb', '--version']);
    await run('runuser', ['-u', 'postgres', '--', 'pg_ctl', '--version']);
    return undefined;
  } catch {
    return 'initdb and pg_ctl (PostgreSQL server binaries) and a postgres user are needed on the PATH';
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'cerebro-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asPostgres = (command: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 30_000 });
  const pgCtl = (args: string[]) => asPostgres('pg_ctl', ['-D', data, ...args]);
  const start = async () => {
    await pgCtl(['-w', '-t', '20', '-l', join(dir, 'server.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  };
  const stop = async () => {
    await pgCtl(['-w', '-t', '20', '-m', 'fast', 'stop']);
  };
  try {
    chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
    await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await start();
  } catch (err) {
    await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  // A test run that dies must not leave its cluster running: stopped at exit, synchronously.
  const onExit = () => {
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', 'pg_ctl', '-D', data, '-m', 'immediate', '-w', 'stop'], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    async destroy() {
      process.off('exit', onExit);
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
