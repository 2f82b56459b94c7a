/** Per-user, per-UTC-day token and request counters: read once, then incremented in batches. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface UsageDelta {
  userId: string;
  day: string;
  tokens: number;
  requests: number;
}

export class DailyUsageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(userId: string, day: string): Promise<{ tokens: number; requests: number }> {
    const row = await this.db.selectFrom('daily_usage').select(['tokens', 'requests']).where('user_id', '=', userId).where('day', '=', day).executeTakeFirst();
    return { tokens: Number(row?.tokens ?? 0), requests: Number(row?.requests ?? 0) };
  }

  /** Adds deltas (increments, never overwrites: several instances may count the same user). */
  async add(deltas: readonly UsageDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    // One lock order for every instance (by user, then day), so concurrent flushes cannot deadlock.
    const sorted = [...deltas].sort((a, b) => (a.userId === b.userId ? (a.day < b.day ? -1 : 1) : a.userId < b.userId ? -1 : 1));
    await this.db.transaction().execute(async (trx) => {
      for (const d of sorted) {
        await trx
          .insertInto('daily_usage')
          .values({ user_id: d.userId, day: d.day, tokens: d.tokens, requests: d.requests })
          .onConflict((oc) =>
            oc.columns(['user_id', 'day']).doUpdateSet({
              tokens: sql`daily_usage.tokens + excluded.tokens`,
              requests: sql`daily_usage.requests + excluded.requests`,
            }),
          )
          .execute();
      }
    });
  }
}
