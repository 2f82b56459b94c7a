/**
 * `npm run bench`: Cerebro against the emulator called directly (the floor), a bare node:http proxy
 * (a Node gateway's practical limit), Cerebro with a gateway key's limits in memory and in Redis, and
 * Portkey's open-source gateway, side by side in one run.
 * Loopback only, bounded in time; every process it starts is stopped, also on Ctrl-C.
 *
 *   npm run bench                       full run (about 20 minutes), writes BENCHMARKS.md
 *   npm run bench -- --smoke            a few seconds, no Portkey: proves the harness works (CI)
 *   options: --duration <ms> --rounds <n> --systems a,b --latencies 0,20 --concurrency 1,50 --idle-wait <ms> --out <file>
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad, percentile } from './load.js';
import { cpuMs, rssMb } from './proc-stats.js';
import { renderReport, type Measurement, type MemoryTrace } from './report.js';
import { PORTKEY_VERSION } from './constants.js';
import { collectGarbage, REPO_ROOT, startNodeServer, SYSTEMS, type RunningProcess, type SystemName } from './systems.js';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    systems: { type: 'string' },
    latencies: { type: 'string' },
    concurrency: { type: 'string' },
    out: { type: 'string' },
    'idle-wait': { type: 'string' },
  },
});

const smoke = values.smoke;
const durationMs = Number(values.duration ?? (smoke ? 400 : 4000));
// Three rounds: the median of two is their mean, and one noisy round on a shared machine moved it by 60 %.
const rounds = Number(values.rounds ?? (smoke ? 1 : 3));
const systems = (values.systems ?? (smoke ? 'direct,bare-proxy,cerebro,cerebro+memory' : 'direct,bare-proxy,cerebro,cerebro+memory,cerebro+key,cerebro+redis,portkey')).split(',') as SystemName[];
const latencies = (values.latencies ?? (smoke ? '0' : '0,20')).split(',').map(Number);
const concurrencies = (values.concurrency ?? (smoke ? '1,10' : '1,50')).split(',').map(Number);
/**
 * How long the systems sit without traffic before their idle RSS is read. Just after start a Node
 * process still holds the young generation its module loading grew; V8's memory reducer gives it
 * back about 8 s after the process goes quiet. RSS half a second after each system is ready is
 * reported as well.
 */
const JUST_STARTED_MS = 500;
const idleWaitMs = Number(values['idle-wait'] ?? (smoke ? JUST_STARTED_MS : 12_000));
if (!Number.isFinite(idleWaitMs) || idleWaitMs < JUST_STARTED_MS) throw new Error(`--idle-wait must be a number of milliseconds, at least ${JUST_STARTED_MS}`);
const root = REPO_ROOT;
const outFile = values.out ?? join(root, 'BENCHMARKS.md');
for (const s of systems) if (!SYSTEMS[s]) throw new Error(`unknown system ${s}; known: ${Object.keys(SYSTEMS).join(', ')}`);
if (!systems.includes('direct')) systems.unshift('direct');

const started: RunningProcess[] = [];
async function stopAll(): Promise<void> {
  await Promise.all(started.splice(0).map((p) => p.stop()));
}
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

const body = (stream: boolean, extra: Record<string, unknown>) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello in five words.' }], stream, ...extra });

async function measureSystem(system: SystemName, proc: RunningProcess, emulatorPort: number, stream: boolean, concurrency: number, duration: number) {
  const sut = SYSTEMS[system];
  let rssMax = rssMb(proc.pid);
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMb(proc.pid))), 200);
  const cpu0 = cpuMs(proc.pid);
  const result = await runLoad(
    { origin: `http://127.0.0.1:${proc.port}`, path: sut.path, headers: sut.headers(emulatorPort, proc), body: (w) => body(stream, sut.bodyExtra?.(w) ?? {}), stream },
    concurrency,
    duration,
  );
  const cpu = cpuMs(proc.pid) - cpu0;
  clearInterval(sampler);
  return { result, cpu, rssMax: Math.max(rssMax, rssMb(proc.pid)) };
}

async function main(): Promise<void> {
  const measurements: Measurement[] = [];
  const memory: MemoryTrace[] = [];
  for (const latencyMs of latencies) {
    const emulator = await startNodeServer('emulator', [String(latencyMs)]);
    started.push(emulator);
    const procs = new Map<SystemName, RunningProcess>();
    const startedMb = new Map<SystemName, number>();
    const readyAt = new Map<SystemName, number>();
    for (const system of systems) {
      const proc = await SYSTEMS[system].start(emulator);
      if (proc !== emulator) started.push(proc);
      procs.set(system, proc);
      readyAt.set(system, performance.now());
      // Each system's own "just started", before the next one starts.
      await new Promise((r) => setTimeout(r, JUST_STARTED_MS));
      startedMb.set(system, rssMb(proc.pid));
    }
    // The last system to start has waited JUST_STARTED_MS already; every other one longer.
    await new Promise((r) => setTimeout(r, idleWaitMs - JUST_STARTED_MS));
    const traces = new Map<SystemName, MemoryTrace>();
    for (const system of systems) {
      const idleAfterMs = performance.now() - readyAt.get(system)!;
      const trace = { latencyMs, system, startedMb: startedMb.get(system)!, idleMb: rssMb(procs.get(system)!.pid), idleAfterMs, afterRoundsMb: [] };
      traces.set(system, trace);
      memory.push(trace);
    }
    // Warm-up: JIT, connection pools, SQLite pages. Not measured.
    for (const system of systems) {
      for (const stream of [false, true]) await measureSystem(system, procs.get(system)!, emulator.port, stream, Math.max(...concurrencies), Math.min(1000, durationMs));
    }
    for (let round = 0; round < rounds; round++) {
      for (const stream of [false, true]) {
        for (const concurrency of concurrencies) {
          // A B A B …: every system runs each workload once per round, in turn.
          for (const system of systems) {
            const { result, cpu, rssMax } = await measureSystem(system, procs.get(system)!, emulator.port, stream, concurrency, durationMs);
            const m: Measurement = {
              latencyMs,
              stream,
              concurrency,
              system,
              round,
              rps: (result.completed * 1000) / result.durationMs,
              p50: percentile(result.latencies, 50),
              p99: percentile(result.latencies, 99),
              ttfbP50: percentile(result.ttfb, 50),
              cpuMsPerRequest: result.completed > 0 ? cpu / result.completed : Number.NaN,
              errors: result.errors,
              completed: result.completed,
              rssMaxMb: rssMax,
            };
            if (result.firstError !== undefined) m.firstError = result.firstError;
            measurements.push(m);
            process.stderr.write(
              `${latencyMs}ms ${stream ? 'stream' : 'json  '} c=${String(concurrency).padEnd(3)} ${system.padEnd(15)} round ${round + 1}: ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50.toFixed(2)} ms  p99 ${m.p99.toFixed(2)} ms  cpu ${m.cpuMsPerRequest.toFixed(3)} ms/req  errors ${m.errors}\n`,
            );
          }
        }
      }
      for (const system of systems) {
        const pid = procs.get(system)!.pid;
        await collectGarbage(pid);
        traces.get(system)!.afterRoundsMb.push(rssMb(pid));
      }
    }
    await stopAll();
  }

  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  const report = renderReport(
    {
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      node: process.version,
      versions: {
        cerebro: pkg.version,
        fastify: pkg.dependencies.fastify ?? '?',
        undici: pkg.dependencies.undici ?? '?',
        ...(systems.includes('portkey') ? { '@portkey-ai/gateway': `${PORTKEY_VERSION} (hono 4.9.7, @hono/node-server 1.13.5 pinned)` } : {}),
      },
      durationMs,
      rounds,
      idleWaitMs,
    },
    measurements,
    memory,
    systems,
    latencies,
    concurrencies,
  );
  process.stdout.write(`\n${report}\n`);
  writeResults(outFile, report);
  process.stderr.write(`results written to ${outFile}\n`);
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the results section and keeps everything else (the optimisation log) as written. */
function writeResults(file: string, report: string): void {
  const block = `${START}\n${report}\n${END}`;
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
  const next = existing.includes(START) && existing.includes(END) ? existing.replace(new RegExp(`${START}[\\s\\S]*?${END}`), () => block) : `${existing.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

main()
  .catch(async (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => void stopAll());
