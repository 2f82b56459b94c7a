/** What the console's log explorer shows of each request: its routing and the warnings it was given. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The complexity class the router gave the prompt, and the policy that routed it (cascade, scoring…).
  await db.schema.alterTable('request_logs').addColumn('complexity', 'text').execute();
  await db.schema.alterTable('request_logs').addColumn('route', 'text').execute();
  // JSON array of the warnings the caller got in `x-cerebro-warnings`; null when there were none.
  await db.schema.alterTable('request_logs').addColumn('warnings', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['warnings', 'route', 'complexity']) await db.schema.alterTable('request_logs').dropColumn(column).execute();
}
