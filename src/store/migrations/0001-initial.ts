import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('interactions')
    .addColumn('id', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('model_used', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // Memory reads "the last N turns of a session": one index range scan.
  await db.schema.createIndex('interactions_session_id_id').on('interactions').columns(['session_id', 'id']).execute();

  await db.schema
    .createTable('request_logs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('model_requested', 'text')
    .addColumn('model_used', 'text')
    .addColumn('provider', 'text')
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('stream', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('http_status', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('prompt_tokens', 'integer', (c) => c.notNull())
    .addColumn('completion_tokens', 'integer', (c) => c.notNull())
    .addColumn('total_tokens', 'integer', (c) => c.notNull())
    .addColumn('cost_usd', pg ? 'double precision' : 'real', (c) => c.notNull())
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('cache_hit', 'integer', (c) => c.notNull())
    .addColumn('attempts', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('request_logs_created_at').on('request_logs').column('created_at').execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('settings').execute();
  await db.schema.dropTable('request_logs').execute();
  await db.schema.dropTable('interactions').execute();
}
