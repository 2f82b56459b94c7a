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
  await db.schema
    .alterTable('gateway_keys')
    .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('chat,read'))
    .execute();

  await db.schema.alterTable('users').addColumn('disabled_at', 'text').execute();
  await db.schema
    .alterTable('users')
    .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
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

  await storageTriggers(db, pg, storage, interactions);

  if (pg) {
    for (const table of ['revoked_tokens', 'user_storage']) await sql`alter table ${rawTable(db, table)} enable row level security`.execute(db);
  }
}

/**
 * The database keeps `user_storage` right with every insert and delete of a session turn, in the
 * same statement: no write path (a new one included) can forget it, and a crash cannot split them.
 */
async function storageTriggers(db: Kysely<unknown>, pg: boolean, storage: ReturnType<typeof rawTable>, interactions: ReturnType<typeof rawTable>): Promise<void> {
  if (!pg) {
    await sql`create trigger interactions_storage_insert after insert on interactions begin
      insert into user_storage (user_id, bytes) values (new.user_id, length(cast(new.content as blob)))
        on conflict (user_id) do update set bytes = bytes + excluded.bytes;
    end`.execute(db);
    await sql`create trigger interactions_storage_delete after delete on interactions begin
      update user_storage set bytes = bytes - length(cast(old.content as blob)) where user_id = old.user_id;
    end`.execute(db);
    return;
  }
  const fn = storageFunction(db);
  await sql`create function ${fn}() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into ${storage} as s (user_id, bytes) values (new.user_id, octet_length(new.content))
          on conflict (user_id) do update set bytes = s.bytes + excluded.bytes;
        return new;
      end if;
      update ${storage} set bytes = bytes - octet_length(old.content) where user_id = old.user_id;
      return old;
    end $$`.execute(db);
  await sql`create trigger interactions_storage after insert or delete on ${interactions} for each row execute function ${fn}()`.execute(db);
}

/** The trigger function, in the same schema as the tables on Postgres. */
function storageFunction(db: Kysely<unknown>) {
  const table = rawTable(db, 'user_storage');
  const qualified = table.compile(db).sql;
  return sql.raw(qualified.replace(/"user_storage"$/, '"interactions_storage"'));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger interactions_storage on ${rawTable(db, 'interactions')}`.execute(db);
    await sql`drop function ${storageFunction(db)}()`.execute(db);
  } else {
    await sql`drop trigger interactions_storage_insert`.execute(db);
    await sql`drop trigger interactions_storage_delete`.execute(db);
  }
  await db.schema.dropTable('user_storage').execute();
  await db.schema.dropIndex('revoked_tokens_user_id').execute();
  await db.schema.dropTable('revoked_tokens').execute();
  await db.schema.alterTable('users').dropColumn('daily_token_limit').execute();
  await db.schema.alterTable('users').dropColumn('token_version').execute();
  await db.schema.alterTable('users').dropColumn('disabled_at').execute();
  await db.schema.alterTable('gateway_keys').dropColumn('scopes').execute();
}
