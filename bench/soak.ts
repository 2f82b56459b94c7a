/**
 * `npm run soak`: a long mixed load against Cerebro and the emulator (answers, streams, sessions,
 * errors, abandoned streams, cache hits), with the gateway's resident memory, event-loop delay and
 * request-log count sampled as it goes. Writes its section of docs/RELIABILITY.md.
 *
 *   npm run soak                               300,000 requests (a few minutes), writes docs/RELIABILITY.md
 *   options: --requests <n> --concurrency <n> --out <file>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { BENCH_TOKEN } from './constants.js';
import { rssMb } from './proc-stats.js';
import { NODE_FLAGS } from '../src/runtime-flags.js';
import { collectGarbage, REPO_ROOT, startNodeServer, type RunningProcess } from './systems.js';

const { values } = parseArgs({ options: { requests: { type: 'string' }, concurrency: { type: 'string' }, out: { type: 'string' } } });
const total = Number(values.requests ?? 300_000);
const concurrency = Number(values.concurrency ?? 20);
const outFile = values.out ?? join(REPO_ROOT, 'docs', 'RELIABILITY.md');
const SAMPLES = 10;

type Kind = 'answer' | 'stream' | 'session' | 'error' | 'abandoned' | 'cached';
/** One in twenty of each kind's share: 10 answers, 4 streams, 2 sessions, 1 error, 1 abandoned, 2 cached. */
const MIX: Kind[] = [
  'answer',
  'stream',
  'answer',
  'cached',
  'answer',
  'session',
  'answer',
  'stream',
  'answer',
  'error',
  'answer',
  'stream',
  'answer',
  'cached',
  'answer',
  'session',
  'answer',
  'stream',
  'answer',
  'abandoned',
];

interface Sample {
  requests: number;
  seconds: number;
  /** Resident memory as it is, and just after a full collection (what is retained). */
  rssMb: number;
  rssAfterGcMb: number;
  heapAfterGcMb: number;
  loopP99Ms: number;
  rowsLogged: number;
}

const started: RunningProcess[] = [];
const stopAll = () => Promise.all(started.splice(0).map((p) => p.stop()));
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

async function main(): Promise<void> {
  const emulator = await startNodeServer('emulator', ['0']);
  started.push(emulator);
  // The cache on, for the replays in the mix (the benchmark runs with it off).
  process.env.BENCH_CACHE_MAX_SIZE = '1000';
  const cerebro = await startNodeServer('cerebro', [String(emulator.port)], NODE_FLAGS);
  started.push(cerebro);
  const origin = `http://127.0.0.1:${cerebro.port}`;
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` };
  const operator = async (path: string) => {
    const res = await pool.request({ path, method: 'GET', headers });
    return res.body.text();
  };
  const samples: Sample[] = [];
  const t0 = performance.now();
  const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;
  const sample = async (requests: number) => {
    const rss = rssMb(cerebro.pid);
    await collectGarbage(cerebro.pid);
    const metrics = await operator('/metrics');
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
    const overview = JSON.parse(await operator('/api/analytics/overview?timeframe=24h')) as { total_requests: number };
    const s: Sample = {
      requests,
      seconds: (performance.now() - t0) / 1000,
      rssMb: Math.round(rss * 10) / 10,
      rssAfterGcMb: Math.round(rssMb(cerebro.pid) * 10) / 10,
      heapAfterGcMb: mb(metric('cerebro_nodejs_heap_size_used_bytes')),
      loopP99Ms: metric('cerebro_nodejs_eventloop_lag_p99_seconds') * 1000,
      rowsLogged: overview.total_requests,
    };
    samples.push(s);
    process.stdout.write(
      `${requests} requests, ${Math.round(s.seconds)} s, RSS ${s.rssMb} MB (${s.rssAfterGcMb} after a full GC, heap ${s.heapAfterGcMb}), loop p99 ${s.loopP99Ms.toFixed(1)} ms, rows ${s.rowsLogged}\n`,
    );
  };

  let sent = 0;
  let done = 0;
  let failures = 0;
  const every = Math.floor(total / SAMPLES);
  let nextSample = every;
  let sampling: Promise<void> = Promise.resolve();
  const one = async (n: number, worker: number): Promise<void> => {
    const kind = MIX[n % MIX.length]!;
    const stream = kind === 'stream' || kind === 'abandoned';
    const body = {
      model: kind === 'error' ? 'no-such-model' : 'gpt-4o-mini',
      messages: [{ role: 'user', content: kind === 'cached' ? 'Always the same question.' : `Question ${n}: say hello in five words.` }],
      stream,
      ...(kind === 'session' ? { session_id: `soak-${worker}-${n % 50}` } : {}),
      ...(kind !== 'cached' ? { temperature: 0.7 } : {}),
    };
    const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body: JSON.stringify(body) });
    if (kind === 'abandoned') {
      // Read the first piece, then walk away.
      for await (const _chunk of res.body) break;
      res.body.destroy();
      return;
    }
    await res.body.dump();
    if ((kind === 'error') !== res.statusCode >= 400) failures++;
  };
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (sent < total) {
        const n = sent++;
        try {
          await one(n, worker);
        } catch {
          failures++;
        }
        done++;
        if (done >= nextSample) {
          nextSample += every;
          const at = done;
          sampling = sampling.then(() => sample(at));
        }
      }
    }),
  );
  await sampling;
  await pool.close();
  await stopAll();
  writeReport(samples, failures);
}

function writeReport(samples: Sample[], failures: number): void {
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const growth = (a: number, b: number) => `${b >= a ? '+' : ''}${((100 * (b - a)) / a).toFixed(1)} %`;
  const rows = samples
    .map(
      (s) =>
        `| ${s.requests.toLocaleString('en')} | ${Math.round(s.seconds)} | ${s.rssMb} | ${s.rssAfterGcMb} | ${s.heapAfterGcMb} | ${s.loopP99Ms.toFixed(1)} | ${s.rowsLogged.toLocaleString('en')} |`,
    )
    .join('\n');
  const section = `<!-- soak:start -->
## Soak (\`npm run soak\`)

${total.toLocaleString('en')} requests at concurrency ${concurrency}, against the emulator at 0 ms, run on ${new Date().toISOString().slice(0, 10)}: in every twenty, 10 answers, 4 streams, 2 with a session (50 sessions per worker), 2 replays from the cache, 1 refused (an unknown model, 404) and 1 stream abandoned after its first piece. ${failures} answers were not what their kind expects. Each sample reads the gateway's RSS, then forces a full collection and reads its RSS and heap again (what is retained, rather than where the collector happened to be). The load goes on while a sample is read, so the log rows counted may run slightly ahead of, or behind, the requests column.

| requests | seconds | RSS, MB | RSS after a full GC, MB | heap used after it, MB | event-loop delay p99, ms | log rows |
| --- | --- | --- | --- | --- | --- | --- |
${rows}

From ${first.requests.toLocaleString('en')} to ${last.requests.toLocaleString('en')} requests: RSS after a full GC ${first.rssAfterGcMb} → ${last.rssAfterGcMb} MB (${growth(first.rssAfterGcMb, last.rssAfterGcMb)}; the target is within 10 %), heap used ${first.heapAfterGcMb} → ${last.heapAfterGcMb} MB (${growth(first.heapAfterGcMb, last.heapAfterGcMb)}), RSS as sampled ${first.rssMb} → ${last.rssMb} MB (${growth(first.rssMb, last.rssMb)}).
<!-- soak:end -->`;
  let doc = '';
  try {
    doc = readFileSync(outFile, 'utf8');
  } catch {
    doc = '# Reliability\n';
  }
  doc = doc.includes('<!-- soak:start -->') ? doc.replace(/<!-- soak:start -->[\s\S]*<!-- soak:end -->/, section) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(outFile, doc);
  process.stdout.write(`RSS after a full GC ${first.rssAfterGcMb} → ${last.rssAfterGcMb} MB (${growth(first.rssAfterGcMb, last.rssAfterGcMb)}); written to ${outFile}\n`);
}

await main().catch(async (err: unknown) => {
  await stopAll();
  process.stderr.write(`soak failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
