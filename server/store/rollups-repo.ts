import { sql } from "kysely";
import type { UserState } from "../../contract/common";
import type { Db } from "./db-types";
import type { ProfileDailyStatsTable } from "./schema";

export type DailyStatsRow = ProfileDailyStatsTable;

/** The UTC day (`YYYY-MM-DD`) of an instant. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const zero = (profileId: string, day: string, at: string): DailyStatsRow => ({
  profileId,
  day,
  checks: 0,
  checkFailures: 0,
  syncReports: 0,
  syncFailures: 0,
  notActivated: null,
  pending: null,
  active: null,
  error: null,
  paused: null,
  stalled: null,
  updatedAt: at,
});

/**
 * Daily rollups per profile (profile_daily_stats): counters added to as checks and sync reports are
 * written (an upsert each, in the writer's transaction), and the day's users by state and stalled count
 * written by the monitor. The overview's trend reads them, never check history.
 */
export class RollupRepository {
  constructor(private readonly db: Db) {}

  /** Adds checks (and how many failed) to a profile's day. */
  async addChecks(profileId: string, at: string, checks: number, failures: number): Promise<void> {
    if (checks <= 0) return;
    await this.db
      .insertInto("profileDailyStats")
      .values({ ...zero(profileId, at.slice(0, 10), at), checks, checkFailures: failures })
      .onConflict((oc) =>
        oc.columns(["profileId", "day"]).doUpdateSet({
          checks: sql`profile_daily_stats.checks + ${checks}`,
          checkFailures: sql`profile_daily_stats.check_failures + ${failures}`,
          updatedAt: at,
        }),
      )
      .execute();
  }

  /** Adds one sync report (failed or not) to a profile's day. */
  async addSyncReport(profileId: string, at: string, failed: boolean): Promise<void> {
    const f = failed ? 1 : 0;
    await this.db
      .insertInto("profileDailyStats")
      .values({ ...zero(profileId, at.slice(0, 10), at), syncReports: 1, syncFailures: f })
      .onConflict((oc) =>
        oc.columns(["profileId", "day"]).doUpdateSet({
          syncReports: sql`profile_daily_stats.sync_reports + 1`,
          syncFailures: sql`profile_daily_stats.sync_failures + ${f}`,
          updatedAt: at,
        }),
      )
      .execute();
  }

  /** Writes a profile's users by state and stalled count for a day (the latest snapshot of the day wins). */
  async writeSnapshot(
    profileId: string,
    at: string,
    counts: Record<UserState, number>,
    stalled: number,
  ): Promise<void> {
    const snapshot = {
      notActivated: counts["not-activated"],
      pending: counts.pending,
      active: counts.active,
      error: counts.error,
      paused: counts.paused,
      stalled,
      updatedAt: at,
    };
    await this.db
      .insertInto("profileDailyStats")
      .values({ ...zero(profileId, at.slice(0, 10), at), ...snapshot })
      .onConflict((oc) => oc.columns(["profileId", "day"]).doUpdateSet(snapshot))
      .execute();
  }

  /** The rows of the given profiles (all when omitted) from `fromDay` on, by profile and day. */
  async since(profileIds: readonly string[] | undefined, fromDay: string): Promise<DailyStatsRow[]> {
    if (profileIds?.length === 0) return [];
    let q = this.db.selectFrom("profileDailyStats").selectAll().where("day", ">=", fromDay);
    if (profileIds) q = q.where("profileId", "in", [...profileIds]);
    return q.orderBy("profileId").orderBy("day").execute();
  }
}
