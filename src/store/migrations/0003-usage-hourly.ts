/**
 * Hourly totals per (provider, model) across all users: the operator's analytics read these
 * instead of aggregating every log row of a month. Per-user analytics stay on request_logs
 * through the (user_id, created_at) index. Existing logs are rolled up here once.
 */
import { sql, type Kysely } from 'kysely';
import { isPostgres, rawTable } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('usage_hourly')
    // 'YYYY-MM-DDTHH' (UTC): the first 13 characters of the logs' ISO timestamps.
    .addColumn('hour', 'text', (c) => c.notNull())
    // '' when the request reached no provider (refused, failed before routing).
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addColumn('successes', 'bigint', (c) => c.notNull())
    .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
    .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
    .addColumn('total_tokens', 'bigint', (c) => c.notNull())
    .addColumn('cost_usd', pg ? 'double precision' : 'real', (c) => c.notNull())
    .addColumn('latency_ms_sum', 'bigint', (c) => c.notNull())
    .addColumn('cache_hits', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_hourly_pk', ['hour', 'provider', 'model'])
    .execute();
  const hourly = rawTable(db, 'usage_hourly');
  const logs = rawTable(db, 'request_logs');
  await sql`insert into ${hourly} (hour, provider, model, requests, successes, prompt_tokens, completion_tokens, total_tokens, cost_usd, latency_ms_sum, cache_hits)
    select substr(created_at, 1, 13), coalesce(provider, ''), coalesce(model_used, ''), count(*),
      sum(case when status = 'success' then 1 else 0 end), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens),
      sum(cost_usd), sum(latency_ms), sum(cache_hit)
    from ${logs} group by substr(created_at, 1, 13), coalesce(provider, ''), coalesce(model_used, '')`.execute(db);
  if (pg) await sql`alter table ${hourly} enable row level security`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('usage_hourly').execute();
}
