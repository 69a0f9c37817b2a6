import type { Insertable, Selectable } from "kysely";
import type { CheckHistoryTable } from "../../server/store/schema";
import { dbOf, type StoreHolder } from "./store";

/**
 * Inserts check history rows as earlier checks would have left them.
 * @example await insertCheckHistory(s.ctx, [{ userId, checkedAt, ok: 1, code: null, message: null, ms: 9, jobId: null }]);
 */
export async function insertCheckHistory(
  holder: StoreHolder,
  rows: Insertable<CheckHistoryTable>[],
): Promise<void> {
  await dbOf(holder).insertInto("checkHistory").values(rows).execute();
}

/**
 * Check history rows of a user or a job (all given must hold), oldest first (by id).
 * @example expect(await checkHistory(h, { jobId: job.id })).toHaveLength(60);
 */
export async function checkHistory(
  holder: StoreHolder,
  filter: { userId?: string; jobId?: string } = {},
): Promise<Selectable<CheckHistoryTable>[]> {
  let q = dbOf(holder).selectFrom("checkHistory").selectAll();
  if (filter.userId !== undefined) q = q.where("userId", "=", filter.userId);
  if (filter.jobId !== undefined) q = q.where("jobId", "=", filter.jobId);
  return q.orderBy("id").execute();
}

/**
 * How many check results a job wrote per user: `[{ userId, n }]`, one entry per user checked.
 * @example expect((await resultsPerUser(store, job.id)).filter((r) => r.n !== 1)).toEqual([]);
 */
export async function resultsPerUser(
  holder: StoreHolder,
  jobId: string,
): Promise<{ userId: string; n: number }[]> {
  const rows = await dbOf(holder)
    .selectFrom("checkHistory")
    .select(["userId", (eb) => eb.fn.countAll<number>().as("n")])
    .where("jobId", "=", jobId)
    .groupBy("userId")
    .execute();
  return rows;
}
