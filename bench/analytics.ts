/**
 * `npm run bench:analytics`: the analytics queries on a million seeded request_logs rows, on
 * SQLite and on the machine's PostgreSQL, with the plan each query runs. Writes its section of
 * BENCHMARKS.md. Local only, bounded; drops what it seeded.
 *
 *   options: --rows <n> (default 1,000,000) --users <n> (default 1,000) --dialects sqlite,postgres --out <file>
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { AnalyticsRepository, type AnalyticsScope } from '../src/store/analytics-repository.js';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../src/store/database.js';
import type { RequestLogRow } from '../src/store/request-log-writer.js';
import { RequestLogQuery } from '../src/store/request-log-query.js';
import type { Database } from '../src/store/schema.js';
import { REPO_ROOT } from './systems.js';

const { values } = parseArgs({ options: { rows: { type: 'string' }, users: { type: 'string' }, dialects: { type: 'string' }, out: { type: 'string' } } });
const ROWS = Number(values.rows ?? 1_000_000);
const USERS = Number(values.users ?? 1_000);
const DIALECTS = (values.dialects ?? 'sqlite,postgres').split(',');
const OUT = values.out ?? join(REPO_ROOT, 'BENCHMARKS.md');
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DAY = 86_400_000;
const NOW = Date.now();
const MODELS = [
  ['openrouter', 'openrouter/free'],
  ['openrouter', 'meta-llama/llama-3.3-70b-instruct:free'],
  ['gemini', 'gemini-2.5-flash'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['openai', 'gpt-4o-mini'],
] as const;

/** A deterministic spread: every user, the last 30 days, five models, 3 % errors. */
function seedRow(i: number): RequestLogRow {
  const [provider, model] = MODELS[i % MODELS.length]!;
  const tokens = 50 + (i % 700);
  return {
    id: `seed-${i}`,
    created_at: new Date(NOW - ((i * 7919) % (30 * DAY))).toISOString(),
    user_id: `user-${i % USERS}`,
    gateway_key_id: null,
    session_id: null,
    endpoint: 'chat.completions',
    model_requested: 'auto',
    model_used: model,
    provider,
    priority: 'normal',
    stream: i % 2,
    status: i % 33 === 0 ? 'error' : 'success',
    http_status: i % 33 === 0 ? 502 : 200,
    error: null,
    prompt_tokens: tokens,
    completion_tokens: tokens >> 1,
    total_tokens: tokens + (tokens >> 1),
    cost_usd: provider === 'openrouter' ? 0 : tokens * 0.000001,
    latency_ms: 200 + (i % 900),
    cache_hit: i % 10 === 0 ? 1 : 0,
    attempts: '[]',
  };
}

async function seed(database: OpenedDatabase): Promise<number> {
  const started = performance.now();
  const insert = database.logInserter();
  const batch = 5_000;
  for (let i = 0; i < ROWS; i += batch) {
    await insert(Array.from({ length: Math.min(batch, ROWS - i) }, (_, j) => seedRow(i + j)));
  }
  return performance.now() - started;
}

async function timed(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  await fn(); // warm: plans and pages cached, as on a running gateway
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/** How the database runs the overview (totals) query for a scope. */
async function planOf(db: Kysely<Database>, repo: AnalyticsRepository, dialect: string, scope: AnalyticsScope): Promise<string> {
  const compiled = repo.totalsQuery(scope).compile();
  const explain = dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
  const { rows } = await db.executeQuery({ ...compiled, sql: explain + compiled.sql });
  const text = rows.map((r) => String((r as Record<string, unknown>).detail ?? (r as Record<string, unknown>)['QUERY PLAN'] ?? '')).join(' / ');
  return text
    .replace(/\s+/g, ' ')
    .replace(/\(cost=[^)]*\)/g, '')
    .replace(/'[^']*'::text/g, '?')
    .slice(0, 110);
}

/** The plan of the log explorer's first page. */
async function logsPlanOf(db: Kysely<Database>, logs: RequestLogQuery, dialect: string, userId: string | undefined): Promise<string> {
  const compiled = logs.pageQuery({ userId }, undefined, 50).compile();
  const { rows } = await db.executeQuery({ ...compiled, sql: (dialect === 'sqlite' ? 'explain query plan ' : 'explain ') + compiled.sql });
  const lines = rows.map((r) => String((r as Record<string, unknown>).detail ?? (r as Record<string, unknown>)['QUERY PLAN'] ?? ''));
  return lines
    .map((l) =>
      l
        .replace(/\s*\(cost=[^)]*\)/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .join(' / ');
}

interface Result {
  dialect: string;
  seedMs: number;
  cells: Array<{ query: string; scope: string; ms: number; plan: string }>;
}

async function measure(dialect: string): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'cerebro-analytics-'));
  const schema = `cerebro_bench_${randomBytes(4).toString('hex')}`;
  const database = dialect === 'sqlite' ? openDatabase(`sqlite:${join(dir, 'bench.db')}`) : openDatabase(POSTGRES_URL, { schema });
  try {
    await migrateToLatest(database);
    process.stderr.write(`${dialect}: seeding ${ROWS.toLocaleString('en')} rows …\n`);
    const seedMs = await seed(database);
    if (dialect === 'postgres') await sql`analyze ${sql.raw(`"${schema}".request_logs`)}`.execute(database.db);
    else await sql`analyze`.execute(database.db);
    const repo = new AnalyticsRepository(database.db);
    const cells: Result['cells'] = [];
    for (const [scopeName, userId] of [
      ['one user', 'user-7'],
      ['everyone (operator)', undefined],
    ] as const) {
      for (const [label, days] of [
        ['24h', 1],
        ['30d', 30],
      ] as const) {
        const scope: AnalyticsScope = { userId, since: new Date(NOW - days * DAY).toISOString() };
        const plan = await planOf(database.db, repo, dialect, scope);
        cells.push({ query: `overview ${label}`, scope: scopeName, ms: await timed(() => repo.totals(scope)), plan });
        if (days === 30) {
          const logs = new RequestLogQuery(database.db);
          const logsPlan = await logsPlanOf(database.db, logs, dialect, userId);
          cells.push({ query: 'logs: first page of 50', scope: scopeName, ms: await timed(() => logs.page({ userId }, undefined, 50)), plan: logsPlan });
          cells.push({ query: 'logs: errors only, first page', scope: scopeName, ms: await timed(() => logs.page({ userId, status: 'error' }, undefined, 50)), plan: logsPlan });
          cells.push({
            query: 'overview p95 latency 30d',
            scope: scopeName,
            ms: await timed(() => logs.latencyPercentile(userId, scope.since, 0.95)),
            plan: 'newest 10,000 of the range, sorted in the process',
          });
          cells.push({
            query: 'cost-breakdown 30 days',
            scope: scopeName,
            ms: await timed(() => Promise.all([repo.byDay(scope), repo.byColumn(scope, 'provider'), repo.byColumn(scope, 'model_used')])),
            plan,
          });
          cells.push({ query: 'model-distribution 30d', scope: scopeName, ms: await timed(() => repo.byColumn(scope, 'model_used')), plan });
        }
      }
    }
    return { dialect, seedMs, cells };
  } finally {
    if (dialect === 'postgres') await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db).catch(() => undefined);
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function render(results: Result[]): string {
  const lines = [
    `Run: \`npm run bench:analytics\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${ROWS.toLocaleString('en')} request_logs rows over 30 days and ${USERS.toLocaleString('en')} users (about ${Math.round(ROWS / USERS).toLocaleString('en')} rows per user). Median of 5 warm runs.`,
    '',
    "| Database | Query | Whose rows | ms | Plan (the overview query's; the logs rows: the first page's) |",
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of results) for (const c of r.cells) lines.push(`| ${r.dialect} | ${c.query} | ${c.scope} | ${c.ms.toFixed(1)} | ${c.plan.replace(/\|/g, '/')} |`);
  lines.push('', results.map((r) => `Seeding on ${r.dialect}: ${(r.seedMs / 1000).toFixed(1)} s through the request-log inserter.`).join(' '));
  return lines.join('\n');
}

const START = '<!-- bench:analytics:start -->';
const END = '<!-- bench:analytics:end -->';
const results: Result[] = [];
for (const dialect of DIALECTS) results.push(await measure(dialect));
const block = `${START}\n${render(results)}\n${END}`;
const existing = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '# Benchmarks\n';
writeFileSync(OUT, existing.includes(START) ? existing.replace(new RegExp(`${START}[\\s\\S]*?${END}`), () => block) : `${existing.trimEnd()}\n\n## Analytics on a million log rows\n\n${block}\n`);
process.stdout.write(`${render(results)}\n\nwritten to ${OUT}\n`);
