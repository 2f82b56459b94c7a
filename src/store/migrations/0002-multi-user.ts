/**
 * Multi-user: accounts, gateway keys, encrypted provider keys, per-user settings and usage
 * counters; sessions and request logs gain an owner. Existing rows belong to the operator.
 */
import { sql, type Kysely } from 'kysely';
import { isPostgres, rawTable } from '../dialect.js';

export const OPERATOR_USER_ID = 'operator';

const TABLES = ['interactions', 'request_logs', 'settings', 'users', 'gateway_keys', 'provider_keys', 'user_config', 'daily_usage'];

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // The operator owns what the operator token does: sessions, logs, keys it creates for itself.
  await db
    .insertInto('users' as never)
    .values({ id: OPERATOR_USER_ID, email: 'operator@cerebro.local', name: 'Operator', password_hash: null, is_admin: 1, created_at: new Date().toISOString() } as never)
    .execute();

  await db.schema
    .createTable('gateway_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('rate_limit', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('gateway_keys_user_id').on('gateway_keys').column('user_id').execute();

  await db.schema
    .createTable('provider_keys')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_verified_at', 'text')
    .addPrimaryKeyConstraint('provider_keys_pk', ['user_id', 'provider'])
    .execute();

  await db.schema
    .createTable('user_config')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('default_model', 'text')
    .addColumn('daily_token_limit', 'bigint')
    .addColumn('memory_messages', 'integer')
    .addColumn('route_policy', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('daily_usage')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('tokens', 'bigint', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('daily_usage_pk', ['user_id', 'day'])
    .execute();

  await db.schema
    .alterTable('interactions')
    .addColumn('user_id', 'text', (c) => c.notNull().defaultTo(OPERATOR_USER_ID))
    .execute();
  await db.schema.dropIndex('interactions_session_id_id').execute();
  // "The last N turns of this user's session": one index range scan; another user's id never matches.
  await db.schema.createIndex('interactions_user_session_id').on('interactions').columns(['user_id', 'session_id', 'id']).execute();

  await db.schema
    .alterTable('request_logs')
    .addColumn('user_id', 'text', (c) => c.notNull().defaultTo(OPERATOR_USER_ID))
    .execute();
  await db.schema.alterTable('request_logs').addColumn('gateway_key_id', 'text').execute();
  // Per-user analytics read a time range of one user's rows; the operator's read created_at alone.
  await db.schema.createIndex('request_logs_user_created_at').on('request_logs').columns(['user_id', 'created_at']).execute();

  if (pg) {
    // Supabase exposes tables through its REST API with the anon key: row-level security with no
    // policy denies those roles everything (the gateway connects as the owner, which RLS skips).
    for (const table of TABLES) await sql`alter table ${rawTable(db, table)} enable row level security`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('request_logs_user_created_at').execute();
  await db.schema.alterTable('request_logs').dropColumn('gateway_key_id').execute();
  await db.schema.alterTable('request_logs').dropColumn('user_id').execute();
  await db.schema.dropIndex('interactions_user_session_id').execute();
  await db.schema.createIndex('interactions_session_id_id').on('interactions').columns(['session_id', 'id']).execute();
  await db.schema.alterTable('interactions').dropColumn('user_id').execute();
  await db.schema.dropTable('daily_usage').execute();
  await db.schema.dropTable('user_config').execute();
  await db.schema.dropTable('provider_keys').execute();
  await db.schema.dropTable('gateway_keys').execute();
  await db.schema.dropTable('users').execute();
}
