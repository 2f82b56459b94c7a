/**
 * Hardening: gateway keys get scopes; accounts get a life cycle (disabled, a token version that
 * revokes every token at once, the operator's own daily limit for them) and a deny-list of
 * signed-out tokens; what each user stores is counted, for the storage quota.
 */
import { sql, type Kysely } from 'kysely';
import { isPostgres, rawTable } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  // Keys issued before scopes existed get the default: they never needed more than chat and read.
  await db.schema.alterTable('gateway_keys').addColumn('scopes', 'text', (c) => c.notNull().defaultTo('chat,read')).execute();

  await db.schema.alterTable('users').addColumn('disabled_at', 'text').execute();
  await db.schema.alterTable('users').addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // The operator's ceiling on this user's tokens per day (null: USER_DAILY_TOKEN_LIMIT).
  await db.schema.alterTable('users').addColumn('daily_token_limit', 'bigint').execute();

  await db.schema
    .createTable('revoked_tokens')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // When the token would have expired anyway: the row can go then.
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('revoked_tokens_user_id').on('revoked_tokens').columns(['user_id', 'expires_at']).execute();

  await db.schema
    .createTable('user_storage')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .execute();
  const storage = rawTable(db, 'user_storage');
  const interactions = rawTable(db, 'interactions');
  const bytes = pg ? sql`octet_length(content)` : sql`length(cast(content as blob))`;
  await sql`insert into ${storage} (user_id, bytes) select user_id, sum(${bytes}) from ${interactions} group by user_id`.execute(db);

  if (pg) {
    for (const table of ['revoked_tokens', 'user_storage']) await sql`alter table ${rawTable(db, table)} enable row level security`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_storage').execute();
  await db.schema.dropIndex('revoked_tokens_user_id').execute();
  await db.schema.dropTable('revoked_tokens').execute();
  await db.schema.alterTable('users').dropColumn('daily_token_limit').execute();
  await db.schema.alterTable('users').dropColumn('token_version').execute();
  await db.schema.alterTable('users').dropColumn('disabled_at').execute();
  await db.schema.alterTable('gateway_keys').dropColumn('scopes').execute();
}
