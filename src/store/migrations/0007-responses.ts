/**
 * Stored Responses (POST /v1/responses with `store`, OpenAI's default): what each response added to
 * its conversation, so `previous_response_id` continues it on any provider, and what it returned.
 * Their bytes count against the user's storage quota like session turns, kept by triggers.
 */
import { sql, type Kysely } from 'kysely';
import { isPostgres, rawTable } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('previous_response_id', 'text')
    // JSON: the turns this response added (its input, then its output), in the gateway's neutral form.
    .addColumn('turns', 'text', (c) => c.notNull())
    // JSON: the input items as GET /v1/responses/{id}/input_items lists them.
    .addColumn('input_items', 'text', (c) => c.notNull())
    // JSON: the Response object as it was returned.
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('responses_user_created_at').on('responses').columns(['user_id', 'created_at']).execute();

  const storage = rawTable(db, 'user_storage');
  const responses = rawTable(db, 'responses');
  if (!pg) {
    await sql`create trigger responses_storage_insert after insert on responses begin
      insert into user_storage (user_id, bytes) values (new.user_id, new.bytes)
        on conflict (user_id) do update set bytes = bytes + excluded.bytes;
    end`.execute(db);
    await sql`create trigger responses_storage_delete after delete on responses begin
      update user_storage set bytes = bytes - old.bytes where user_id = old.user_id;
    end`.execute(db);
    return;
  }
  const fn = storageFunction(db);
  await sql`create function ${fn}() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into ${storage} as s (user_id, bytes) values (new.user_id, new.bytes)
          on conflict (user_id) do update set bytes = s.bytes + excluded.bytes;
        return new;
      end if;
      update ${storage} set bytes = bytes - old.bytes where user_id = old.user_id;
      return old;
    end $$`.execute(db);
  await sql`create trigger responses_storage after insert or delete on ${responses} for each row execute function ${fn}()`.execute(db);
  await sql`alter table ${responses} enable row level security`.execute(db);
}

/** The trigger function, in the same schema as the tables on Postgres. */
function storageFunction(db: Kysely<unknown>) {
  const qualified = rawTable(db, 'user_storage').compile(db).sql;
  return sql.raw(qualified.replace(/"user_storage"$/, '"responses_storage"'));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger responses_storage on ${rawTable(db, 'responses')}`.execute(db);
    await sql`drop function ${storageFunction(db)}()`.execute(db);
  } else {
    await sql`drop trigger responses_storage_insert`.execute(db);
    await sql`drop trigger responses_storage_delete`.execute(db);
  }
  await db.schema.dropTable('responses').execute();
}
