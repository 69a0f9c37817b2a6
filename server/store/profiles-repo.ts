import { randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { userStates, type UserState } from "../../contract/common";
import { isPostgres } from "./dialect";
import type { Database, ProfileTable } from "./schema";
import { isoNow as nowIso } from "../domain/clock";
import { DEFAULT_STALLED_AFTER_HOURS, DEFAULT_STALLED_ALERT_PERCENT } from "../domain/stalled";

export type ProfileRow = ProfileTable;
export type StateCounts = Record<UserState, number>;

/** Appended rows of profile_state_counts tolerated beyond twice the groups before they are folded. */
const FOLD_SLACK = 100;
/** The fold's advisory lock key (a number of our own). */
const FOLD_LOCK = 7_264_519_330;

export const emptyCounts = (): StateCounts =>
  Object.fromEntries(userStates.map((s) => [s, 0])) as StateCounts;

/** Profiles: the only SQL about them. */
export class ProfileRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(ids?: string[]): Promise<ProfileRow[]> {
    if (ids?.length === 0) return [];
    let q = this.db.selectFrom("profiles").selectAll().orderBy("nameLower");
    if (ids) q = q.where("id", "in", ids);
    return q.execute();
  }

  find(id: string): Promise<ProfileRow | undefined> {
    return this.db.selectFrom("profiles").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findByName(name: string): Promise<ProfileRow | undefined> {
    return this.db
      .selectFrom("profiles")
      .selectAll()
      .where("nameLower", "=", name.toLowerCase())
      .executeTakeFirst();
  }

  async create(input: { name: string; description?: string }): Promise<ProfileRow> {
    const now = nowIso();
    const row: ProfileRow = {
      id: randomUUID(),
      name: input.name,
      nameLower: input.name.toLowerCase(),
      description: input.description ?? "",
      syncEnabled: 1,
      maxConcurrentConnections: 10,
      alert: null,
      stalledAfterHours: DEFAULT_STALLED_AFTER_HOURS,
      stalledAlertPercent: DEFAULT_STALLED_ALERT_PERCENT,
      createdAt: now,
      updatedAt: now,
    };
    await this.db.insertInto("profiles").values(row).execute();
    return row;
  }

  async update(
    id: string,
    patch: Partial<
      Pick<
        ProfileRow,
        | "name"
        | "description"
        | "syncEnabled"
        | "maxConcurrentConnections"
        | "alert"
        | "stalledAfterHours"
        | "stalledAlertPercent"
      >
    >,
  ): Promise<void> {
    const set: Partial<ProfileRow> = { ...patch, updatedAt: nowIso() };
    if (patch.name !== undefined) set.nameLower = patch.name.toLowerCase();
    await this.db.updateTable("profiles").set(set).where("id", "=", id).execute();
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom("profiles").where("id", "=", id).execute();
  }

  /**
   * Users per state for each of the given profiles (all profiles when omitted), from the counts the
   * triggers on `users` keep (profile_state_counts, see its migration): a few rows per profile whatever
   * its number of users. On PostgreSQL, where writers append differences, the rows read are folded back
   * into one per (profile, state) once they outnumber those twice (plus some slack).
   */
  async countsByState(profileIds?: string[]): Promise<Map<string, StateCounts>> {
    if (profileIds?.length === 0) return new Map();
    let q = this.db
      .selectFrom("profileStateCounts")
      .select((eb) => [
        "profileId",
        "state",
        eb.fn.sum<number>("users").as("users"),
        eb.fn.countAll<number>().as("rows"),
      ])
      .groupBy(["profileId", "state"]);
    if (profileIds) q = q.where("profileId", "in", profileIds);
    const rows = await q.execute();
    const result = new Map<string, StateCounts>();
    let read = 0;
    for (const row of rows) {
      read += Number(row.rows);
      const counts = result.get(row.profileId) ?? emptyCounts();
      if ((userStates as readonly string[]).includes(row.state)) {
        counts[row.state as UserState] = Number(row.users);
      }
      result.set(row.profileId, counts);
    }
    if (read > 2 * rows.length + FOLD_SLACK && !this.db.isTransaction) await this.foldStateCounts();
    return result;
  }

  /**
   * PostgreSQL: replaces the appended differences of profile_state_counts by one row per (profile, state)
   * (dropping sums of zero), in one statement, so rows written meanwhile are kept as they are. One instance
   * at a time (a transaction-scoped advisory lock; the others skip). A failure only leaves the rows as
   * they were: the sums stay right.
   */
  async foldStateCounts(): Promise<void> {
    if (!isPostgres(this.db)) return;
    await sql`with gone as (
        delete from profile_state_counts where (select pg_try_advisory_xact_lock(${sql.lit(FOLD_LOCK)}))
        returning profile_id, state, users)
      insert into profile_state_counts (profile_id, state, users)
      select profile_id, state, sum(users) from gone group by profile_id, state having sum(users) <> 0`
      .execute(this.db)
      .catch(() => undefined);
  }

  /** Profile ids a profile admin (by UPN, case-insensitive) may manage. */
  async idsAdministeredBy(upn: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("profileAdmins")
      .select("profileId")
      .where("userPrincipalName", "=", upn.toLowerCase())
      .execute();
    return rows.map((r) => r.profileId);
  }

  async admins(profileId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("profileAdmins")
      .select("userPrincipalName")
      .where("profileId", "=", profileId)
      .orderBy("userPrincipalName")
      .execute();
    return rows.map((r) => r.userPrincipalName);
  }

  async setAdmins(profileId: string, upns: string[]): Promise<void> {
    await this.db.deleteFrom("profileAdmins").where("profileId", "=", profileId).execute();
    const unique = [...new Set(upns.map((u) => u.toLowerCase()))];
    if (unique.length) {
      await this.db
        .insertInto("profileAdmins")
        .values(unique.map((u) => ({ profileId, userPrincipalName: u })))
        .execute();
    }
  }
}
