/**
 * The systems under test, each a child process the bench starts, measures (/proc) and stops.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BENCH_TOKEN, PORTKEY_OVERRIDES, PORTKEY_VERSION } from './constants.js';
import { NODE_FLAGS } from '../src/runtime-flags.js';

const here = dirname(fileURLToPath(import.meta.url));
/**
 * A bench server's entry: compiled beside this file in dist/bench, or, when the bench itself runs
 * from sources (the CI smoke test), the TypeScript file run through tsx.
 */
function serverCommand(name: string, nodeFlags: readonly string[]): string[] {
  const js = join(here, 'servers', `${name}.js`);
  if (existsSync(js)) return [...nodeFlags, ...measuredProcessFlags(), js];
  return [...nodeFlags, '--import', 'tsx', ...measuredProcessFlags(), join(here, 'servers', `${name}.ts`)];
}

/** Node flags for every measured process: a full GC on SIGUSR2 (see servers/gc-on-signal.ts). */
function measuredProcessFlags(): string[] {
  const js = join(here, 'servers', 'gc-on-signal.js');
  const preload = existsSync(js) ? js : join(here, 'servers', 'gc-on-signal.ts');
  return ['--expose-gc', '--import', pathToFileURL(preload).href];
}

/** Asks a measured process for a full GC and gives it a moment, before its memory is sampled. */
export async function collectGarbage(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return;
  }
  await new Promise((r) => setTimeout(r, 300));
}
/** The repository root, seen from dist/bench (compiled) or bench (sources). */
export const REPO_ROOT = existsSync(join(here, '..', 'package.json')) ? join(here, '..') : join(here, '..', '..');
/** Portkey is installed into a scratch folder of the repository, never into the project's dependencies. */
export const PORTKEY_DIR = join(REPO_ROOT, 'bench', '.portkey');

export type SystemName = 'direct' | 'bare-proxy' | 'cerebro' | 'cerebro+memory' | 'cerebro+key' | 'cerebro+redis' | 'portkey';

export interface RunningProcess {
  pid: number;
  port: number;
  /** A gateway key the system made for the load, when it authenticates with one. */
  token?: string;
  stop(): Promise<void>;
}

export interface SystemUnderTest {
  name: SystemName;
  /** How a request to this system looks (path and headers), given the emulator's port. */
  path: string;
  headers: (emulatorPort: number, proc: RunningProcess) => Record<string, string>;
  /** Extra body fields (memory on: a session per worker). */
  bodyExtra?: (worker: number) => Record<string, unknown>;
  /** Starts the system; `direct` starts nothing and measures the emulator itself. */
  start(emulator: RunningProcess): Promise<RunningProcess>;
}

function waitForReady(child: ChildProcess, name: string): Promise<{ port: number; token?: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s: ${out}${err}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /READY (\d+)(?: (\S+))?\n/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[2] ? { port: Number(match[1]), token: match[2] } : { port: Number(match[1]) });
      }
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${out}${err}`));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** Starts a bench server; `nodeFlags` are the Node flags its production counterpart runs with. */
export async function startNodeServer(name: string, args: string[], nodeFlags: readonly string[] = [], env: Record<string, string> = {}): Promise<RunningProcess> {
  const child = spawn(process.execPath, [...serverCommand(name, nodeFlags), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const ready = await waitForReady(child, name);
  child.stdout?.removeAllListeners('data');
  child.stdout?.resume();
  return { pid: child.pid!, ...ready, stop: stopper(child) };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Installs Portkey's gateway into bench/.portkey once (npm registry), with the streaming pins. */
export function ensurePortkey(): string {
  const entry = join(PORTKEY_DIR, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  const manifest = join(PORTKEY_DIR, 'package.json');
  const wanted = JSON.stringify({ name: 'portkey-bench', private: true, dependencies: { '@portkey-ai/gateway': PORTKEY_VERSION }, overrides: PORTKEY_OVERRIDES }, null, 2);
  if (existsSync(entry) && existsSync(manifest) && readFileSync(manifest, 'utf8') === wanted) return entry;
  mkdirSync(PORTKEY_DIR, { recursive: true });
  writeFileSync(manifest, wanted);
  process.stderr.write(`installing @portkey-ai/gateway@${PORTKEY_VERSION} into ${PORTKEY_DIR} …\n`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: PORTKEY_DIR, stdio: 'inherit' });
  return entry;
}

async function startPortkey(): Promise<RunningProcess> {
  const entry = ensurePortkey();
  const port = await freePort();
  const child = spawn(process.execPath, [...measuredProcessFlags(), entry, `--port=${port}`, '--headless'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      if (res.ok) return { pid: child.pid!, port, stop: stopper(child) };
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`portkey did not start: ${stderr}`);
}

const json = { 'content-type': 'application/json' };

export const SYSTEMS: Record<SystemName, SystemUnderTest> = {
  direct: {
    name: 'direct',
    path: '/openai/v1/chat/completions',
    headers: () => ({ ...json, authorization: 'Bearer bench' }),
    start: async (emulator) => emulator,
  },
  'bare-proxy': {
    name: 'bare-proxy',
    path: '/v1/chat/completions',
    headers: () => json,
    start: (emulator) => startNodeServer('bare-proxy', [String(emulator.port)]),
  },
  cerebro: {
    name: 'cerebro',
    path: '/v1/chat/completions',
    headers: () => ({ ...json, authorization: `Bearer ${BENCH_TOKEN}` }),
    start: (emulator) => startNodeServer('cerebro', [String(emulator.port)], NODE_FLAGS),
  },
  'cerebro+memory': {
    name: 'cerebro+memory',
    path: '/v1/chat/completions',
    headers: () => ({ ...json, authorization: `Bearer ${BENCH_TOKEN}` }),
    bodyExtra: (worker) => ({ session_id: `bench-${worker}` }),
    start: (emulator) => startNodeServer('cerebro', [String(emulator.port)], NODE_FLAGS),
  },
  // A gateway key (per-key and per-user limits counted on every request), the limits in memory…
  'cerebro+key': {
    name: 'cerebro+key',
    path: '/v1/chat/completions',
    headers: (_port, proc) => ({ ...json, authorization: `Bearer ${proc.token}` }),
    start: (emulator) => startNodeServer('cerebro', [String(emulator.port)], NODE_FLAGS, { BENCH_GATEWAY_KEY: '1' }),
  },
  // …and in Redis (the machine's, or BENCH_REDIS_URL), shared as several instances would share them.
  'cerebro+redis': {
    name: 'cerebro+redis',
    path: '/v1/chat/completions',
    headers: (_port, proc) => ({ ...json, authorization: `Bearer ${proc.token}` }),
    start: (emulator) =>
      startNodeServer('cerebro', [String(emulator.port)], NODE_FLAGS, {
        BENCH_GATEWAY_KEY: '1',
        REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_PREFIX: `bench-${process.pid}-${Date.now()}:`,
      }),
  },
  portkey: {
    name: 'portkey',
    path: '/v1/chat/completions',
    headers: (emulatorPort) => ({
      ...json,
      authorization: 'Bearer bench',
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `http://127.0.0.1:${emulatorPort}/openai/v1`,
    }),
    start: () => startPortkey(),
  },
};
