/** Turns measurements into the BENCHMARKS.md tables and the targets check. */
import type { SystemName } from './systems.js';

export interface Measurement {
  latencyMs: number;
  stream: boolean;
  concurrency: number;
  system: SystemName;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  ttfbP50: number;
  cpuMsPerRequest: number;
  errors: number;
  completed: number;
  rssMaxMb: number;
  firstError?: string;
}

export interface MemoryTrace {
  latencyMs: number;
  system: SystemName;
  /** RSS half a second after start: the start-up young generation is still held. */
  startedMb: number;
  /** RSS once the system has been up, without traffic, for `idleAfterMs`. */
  idleMb: number;
  idleAfterMs: number;
  afterRoundsMb: number[];
}

export interface RunInfo {
  command: string;
  date: string;
  machine: string;
  node: string;
  versions: Record<string, string>;
  durationMs: number;
  rounds: number;
  /** How long the systems sat without traffic before their idle RSS was read. */
  idleWaitMs: number;
}

/** About when V8's memory reducer first runs in a quiet process (--gc-memory-reducer-start-delay-ms). */
const V8_MEMORY_REDUCER_MS = 8000;

export const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** The median of one metric over rounds, for one cell. */
export function cell(ms: Measurement[], q: { latencyMs: number; stream: boolean; concurrency: number; system: SystemName }, metric: keyof Measurement): number {
  return median(ms.filter((m) => m.latencyMs === q.latencyMs && m.stream === q.stream && m.concurrency === q.concurrency && m.system === q.system).map((m) => m[metric] as number));
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export interface TargetCheck {
  target: string;
  value: string;
  met: boolean | undefined;
}

export function checkTargets(ms: Measurement[], memory: MemoryTrace[], systems: SystemName[], concurrencies: number[]): TargetCheck[] {
  const high = Math.max(...concurrencies);
  const low = Math.min(...concurrencies);
  const has = (s: SystemName) => systems.includes(s);
  const q = (system: SystemName, stream: boolean, concurrency: number) => ({ latencyMs: 0, stream, concurrency, system });
  const checks: TargetCheck[] = [];
  const rps = (s: SystemName, stream: boolean) => cell(ms, q(s, stream, high), 'rps');
  for (const stream of [false, true]) {
    const label = stream ? 'streaming' : 'non-streaming';
    if (has('portkey')) {
      const ratio = rps('cerebro', stream) / rps('portkey', stream);
      checks.push({ target: `throughput ≥ 6× Portkey (${label}, c=${high})`, value: `${fmt(ratio, 1)}×`, met: ratio >= 6 });
    }
    if (has('bare-proxy')) {
      const ratio = rps('cerebro', stream) / rps('bare-proxy', stream);
      checks.push({ target: `throughput ≥ 70 % of the bare proxy (${label}, c=${high})`, value: `${fmt(ratio * 100, 0)} %`, met: ratio >= 0.7 });
    }
  }
  const addedP50 = cell(ms, q('cerebro', false, low), 'p50') - cell(ms, q('direct', false, low), 'p50');
  const addedP99 = cell(ms, q('cerebro', false, low), 'p99') - cell(ms, q('direct', false, low), 'p99');
  checks.push({ target: 'added latency p50 ≤ 0.3 ms (c=1)', value: `${fmt(addedP50)} ms`, met: addedP50 <= 0.3 });
  checks.push({ target: 'added latency p99 ≤ 1.5 ms (c=1)', value: `${fmt(addedP99)} ms`, met: addedP99 <= 1.5 });
  const ttfb = cell(ms, q('cerebro', true, low), 'ttfbP50') - cell(ms, q('direct', true, low), 'ttfbP50');
  checks.push({ target: 'streaming first-byte overhead ≤ 1 ms (c=1)', value: `${fmt(ttfb)} ms`, met: ttfb <= 1 });
  const cpu = cell(ms, q('cerebro', false, high), 'cpuMsPerRequest');
  checks.push({ target: `CPU ≤ 0.4 ms per request (non-streaming, c=${high})`, value: `${fmt(cpu, 3)} ms`, met: cpu <= 0.4 });
  const trace = memory.find((m) => m.system === 'cerebro' && m.latencyMs === 0);
  if (trace) {
    checks.push({
      target: `RSS ≤ 100 MB idle (after ${fmt(trace.idleAfterMs / 1000, 0)} s without traffic)`,
      value: `${fmt(trace.idleMb, 0)} MB (${fmt(trace.startedMb, 0)} MB 0.5 s after start)`,
      met: trace.idleMb <= 100,
    });
    const growth = trace.afterRoundsMb.length > 1 ? trace.afterRoundsMb.at(-1)! - trace.afterRoundsMb[0]! : Number.NaN;
    checks.push({ target: 'RSS flat across rounds (growth after round 1 ≤ 10 MB)', value: `${fmt(growth, 1)} MB`, met: Number.isFinite(growth) ? growth <= 10 : undefined });
  }
  return checks;
}

export function renderReport(info: RunInfo, ms: Measurement[], memory: MemoryTrace[], systems: SystemName[], latencies: number[], concurrencies: number[]): string {
  const out: string[] = [];
  out.push(`Run: \`${info.command}\` on ${info.date}`, '');
  out.push(
    `Machine: ${info.machine}; Node ${info.node}; ${Object.entries(info.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
  );
  out.push(`Each cell is the median of ${info.rounds} round(s) of ${info.durationMs / 1000} s per system, systems alternated within each round; the load generator shares the machine's cores.`, '');

  const checks = checkTargets(ms, memory, systems, concurrencies);
  out.push(
    '### Targets (emulator at 0 ms)',
    '',
    table(
      ['Target', 'Cerebro', 'Met'],
      checks.map((c) => [c.target, c.value, c.met === undefined ? '–' : c.met ? 'yes' : '**no**']),
    ),
    '',
  );

  for (const latencyMs of latencies) {
    out.push(`### Upstream latency ${latencyMs} ms`, '');
    const header = ['System'];
    for (const stream of [false, true]) for (const c of concurrencies) header.push(`${stream ? 'stream' : 'json'} c=${c} req/s`);
    header.push('json c=1 p50 / p99 ms', 'stream c=1 TTFB p50 ms', 'CPU ms/req (json c=max)', 'errors');
    const rows = systems.map((system) => {
      const row: string[] = [system];
      for (const stream of [false, true]) for (const c of concurrencies) row.push(fmt(cell(ms, { latencyMs, stream, concurrency: c, system }, 'rps'), 0));
      const c1 = { latencyMs, stream: false, concurrency: Math.min(...concurrencies), system };
      row.push(`${fmt(cell(ms, c1, 'p50'))} / ${fmt(cell(ms, c1, 'p99'))}`);
      row.push(fmt(cell(ms, { ...c1, stream: true }, 'ttfbP50')));
      row.push(fmt(cell(ms, { latencyMs, stream: false, concurrency: Math.max(...concurrencies), system }, 'cpuMsPerRequest'), 3));
      row.push(String(ms.filter((m) => m.system === system && m.latencyMs === latencyMs).reduce((n, m) => n + m.errors, 0)));
      return row;
    });
    out.push(table(header, rows), '');
    const direct = (stream: boolean, metric: 'p50' | 'p99' | 'ttfbP50') => cell(ms, { latencyMs, stream, concurrency: Math.min(...concurrencies), system: 'direct' }, metric);
    const overhead = systems
      .filter((s) => s !== 'direct')
      .map((system) => {
        const c1 = { latencyMs, stream: false, concurrency: Math.min(...concurrencies), system };
        return [system, fmt(cell(ms, c1, 'p50') - direct(false, 'p50')), fmt(cell(ms, c1, 'p99') - direct(false, 'p99')), fmt(cell(ms, { ...c1, stream: true }, 'ttfbP50') - direct(true, 'ttfbP50'))];
      });
    out.push(table(['Over the direct path', 'added p50 ms', 'added p99 ms', 'stream first-byte overhead ms'], overhead), '');
  }

  out.push('### Memory (RSS, MB)', '');
  out.push(
    info.idleWaitMs >= V8_MEMORY_REDUCER_MS
      ? `"Just started" is read 0.5 s after each system is ready, "idle" once it has been up ${fmt(info.idleWaitMs / 1000, 0)} s or more without traffic (V8 returns the young generation that module loading grew about 8 s after a process goes quiet).`
      : `"Just started" is read 0.5 s after each system is ready, "idle" ${fmt(info.idleWaitMs / 1000, 1)} s or more after it: too soon for V8 to have returned the young generation that module loading grew (it does so about 8 s after a process goes quiet), so here "idle" is still a start-up reading.`,
    '',
  );
  out.push(
    table(
      ['Upstream', 'System', 'just started', 'idle', 'max under load', 'after each round (after a full GC)'],
      memory.map((m) => [
        `${m.latencyMs} ms`,
        m.system,
        fmt(m.startedMb, 0),
        fmt(m.idleMb, 0),
        fmt(Math.max(...ms.filter((x) => x.system === m.system && x.latencyMs === m.latencyMs).map((x) => x.rssMaxMb)), 0),
        m.afterRoundsMb.map((x) => fmt(x, 0)).join(' → '),
      ]),
    ),
    '',
  );
  const failures = ms.filter((m) => m.firstError);
  if (failures.length > 0) {
    out.push('### Errors seen', '');
    for (const f of failures.slice(0, 10))
      out.push(`- ${f.system}, ${f.stream ? 'stream' : 'json'} c=${f.concurrency}, ${f.latencyMs} ms: ${f.errors} × \`${f.firstError!.replace(/`/g, "'").slice(0, 160)}\``);
    out.push('');
  }
  return out.join('\n');
}
