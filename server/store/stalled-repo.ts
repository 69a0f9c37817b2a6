import { sql, type ExpressionBuilder } from "kysely";
import { stalledCutoff, type StallProfile } from "../domain/stalled";
import type { Db } from "./db-types";
import type { Database, UserTable } from "./schema";

const IDS_PER_QUERY = 1000;

/**
 * The stalled rule's mailbox half on a `users` row, for a profile's cutoff (the rule:
 * server/domain/stalled.ts): active, and neither a report nor the activation since the cutoff.
 * @example db.selectFrom("users").where((eb) => stalledUserWhere(eb, cutoff))
 */
export function stalledUserWhere<DB extends Database>(eb: ExpressionBuilder<DB, "users">, cutoff: string) {
  const e = eb as unknown as ExpressionBuilder<Database, "users">;
  return e.and([
    e("users.state", "=", "active"),
    e.or([e("users.lastSyncAt", "is", null), e("users.lastSyncAt", "<", cutoff)]),
    e.or([e("users.activeSince", "is", null), e("users.activeSince", "<", cutoff)]),
  ]);
}

/** A profile's stalled mailboxes at a glance (`StalledRepository.summary`). */
export interface StalledSummary {
  count: number;
  stalledAfterHours: number;
  /** The earliest time one of them went quiet (the later of its last report and activation), or null. */
  firstQuiet: string | null;
  /** The latest such time, or null. */
  lastQuiet: string | null;
}

/** When a mailbox went quiet: the later of its last report and its activation (either may be null). */
const QUIET_SINCE = sql<string | null>`case
  when users.last_sync_at is null then users.active_since
  when users.active_since is null or users.last_sync_at > users.active_since then users.last_sync_at
  else users.active_since end`;

/** A profile's stalled settings. */
export interface StallSettings {
  id: string;
  syncEnabled: number;
  stalledAfterHours: number;
  stalledAlertPercent: number;
}

/**
 * Stalled sync, set-based: which of a set of profiles have stalled mailboxes, how many and which. One
 * query per distinct threshold (usually one) plus one to find the profiles whose sync service reports at
 * all; never a query per user. The Problems view reuses `count` and `list`.
 */
export class StalledRepository {
  constructor(private readonly db: Db) {}

  /** The stalled settings of the given profiles (all when omitted). */
  async settings(profileIds?: readonly string[]): Promise<StallSettings[]> {
    if (profileIds?.length === 0) return [];
    let q = this.db
      .selectFrom("profiles")
      .select(["id", "syncEnabled", "stalledAfterHours", "stalledAlertPercent"]);
    if (profileIds) q = q.where("id", "in", [...profileIds]);
    return q.execute();
  }

  /** What the per-user rule needs of one profile (null when the profile is unknown). */
  async stallProfile(profileId: string): Promise<StallProfile | null> {
    const row = await this.db
      .selectFrom("profiles as p")
      .select((eb) => [
        "p.syncEnabled",
        "p.stalledAfterHours",
        eb
          .selectFrom("users")
          .select((u) => u.fn.max("users.lastSyncAt").as("latest"))
          .whereRef("users.profileId", "=", "p.id")
          .as("latestReportAt"),
      ])
      .where("p.id", "=", profileId)
      .executeTakeFirst();
    if (!row) return null;
    return {
      syncEnabled: row.syncEnabled === 1,
      stalledAfterHours: row.stalledAfterHours,
      latestReportAt: row.latestReportAt ?? null,
    };
  }

  /**
   * The profiles (of those with sync on) whose sync service reports, grouped by cutoff: each group's
   * mailboxes are stalled when they match `stalledUserWhere(cutoff)`.
   */
  private async reportingGroups(
    profileIds: readonly string[] | undefined,
    now: number,
  ): Promise<Array<{ cutoff: string; hours: number; ids: string[] }>> {
    const byHours = new Map<number, string[]>();
    for (const p of await this.settings(profileIds)) {
      if (p.syncEnabled !== 1) continue;
      byHours.set(p.stalledAfterHours, [...(byHours.get(p.stalledAfterHours) ?? []), p.id]);
    }
    const groups: Array<{ cutoff: string; hours: number; ids: string[] }> = [];
    for (const [hours, ids] of byHours) {
      const cutoff = stalledCutoff(now, hours);
      const reporting: string[] = [];
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        const rows = await this.db
          .selectFrom("profiles as p")
          .select("p.id")
          .where("p.id", "in", ids.slice(i, i + IDS_PER_QUERY))
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom("users as o")
                .select("o.id")
                .whereRef("o.profileId", "=", "p.id")
                .where("o.lastSyncAt", ">=", cutoff),
            ),
          )
          .execute();
        reporting.push(...rows.map((r) => r.id));
      }
      if (reporting.length) groups.push({ cutoff, hours, ids: reporting });
    }
    return groups;
  }

  /**
   * Stalled mailboxes per profile, for the given profiles (all when omitted); profiles with none are absent.
   * @example const stalled = await new StalledRepository(db).count(["p1", "p2"], clock.now());
   */
  async count(profileIds: readonly string[] | undefined, now: number): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    for (const [id, s] of await this.summary(profileIds, now)) result.set(id, s.count);
    return result;
  }

  /**
   * Per profile with stalled mailboxes (of the given profiles, all when omitted): how many, its threshold,
   * and the earliest and latest time one of them went quiet (the later of its last report and its
   * activation; null when neither is known). Index-only: every column read is in users_profile_state_sync.
   */
  async summary(
    profileIds: readonly string[] | undefined,
    now: number,
  ): Promise<Map<string, StalledSummary>> {
    const result = new Map<string, StalledSummary>();
    for (const { cutoff, hours, ids } of await this.reportingGroups(profileIds, now)) {
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        // Two range seeks on (profile_id, state, last_sync_at) instead of one scan of every active mailbox:
        // reported before the cutoff, and never reported (an OR of both makes SQLite walk the whole range).
        for (const reported of [true, false]) {
          const rows = await this.db
            .selectFrom("users")
            .select((eb) => [
              "users.profileId",
              eb.fn.countAll<number>().as("n"),
              eb.fn.min<string | null>(QUIET_SINCE).as("firstQuiet"),
              eb.fn.max<string | null>(QUIET_SINCE).as("lastQuiet"),
            ])
            .where("users.profileId", "in", ids.slice(i, i + IDS_PER_QUERY))
            .where("users.state", "=", "active")
            .where((eb) =>
              reported ? eb("users.lastSyncAt", "<", cutoff) : eb("users.lastSyncAt", "is", null),
            )
            .where((eb) => eb.or([eb("users.activeSince", "is", null), eb("users.activeSince", "<", cutoff)]))
            .groupBy("users.profileId")
            .execute();
          for (const r of rows) {
            const s = result.get(r.profileId);
            const earlier = (a: string | null, b: string | null) =>
              a === null || (b !== null && b < a) ? b : a;
            const later = (a: string | null, b: string | null) =>
              a === null || (b !== null && b > a) ? b : a;
            result.set(r.profileId, {
              count: (s?.count ?? 0) + Number(r.n),
              stalledAfterHours: hours,
              firstQuiet: s ? earlier(s.firstQuiet, r.firstQuiet) : r.firstQuiet,
              lastQuiet: s ? later(s.lastQuiet, r.lastQuiet) : r.lastQuiet,
            });
          }
        }
      }
    }
    return result;
  }

  /**
   * Stalled mailboxes of the given profiles (all when omitted), by lower-cased address, `limit` after
   * `after` (a keyset page, like the user list).
   */
  async list(
    profileIds: readonly string[] | undefined,
    now: number,
    options: { limit: number; after?: string },
  ): Promise<UserTable[]> {
    const groups = await this.reportingGroups(profileIds, now);
    if (groups.length === 0) return [];
    let q = this.db
      .selectFrom("users")
      .selectAll()
      .where((eb) =>
        eb.or(
          groups.map((g) => eb.and([eb("users.profileId", "in", g.ids), stalledUserWhere(eb, g.cutoff)])),
        ),
      );
    if (options.after !== undefined) q = q.where("users.addressLower", ">", options.after);
    return q.orderBy("users.addressLower").limit(options.limit).execute();
  }
}
