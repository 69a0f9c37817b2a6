import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { userStates, type UserState } from "../../contract/common";
import type { Database, ProfileTable } from "./schema";
import { isoNow as nowIso } from "../domain/clock";
import { DEFAULT_STALLED_AFTER_HOURS, DEFAULT_STALLED_ALERT_PERCENT } from "../domain/stalled";

export type ProfileRow = ProfileTable;
export type StateCounts = Record<UserState, number>;

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

  /** Users per state for each of the given profiles (all profiles when omitted). */
  async countsByState(profileIds?: string[]): Promise<Map<string, StateCounts>> {
    if (profileIds?.length === 0) return new Map();
    let q = this.db
      .selectFrom("users")
      .select(["profileId", "state", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy(["profileId", "state"]);
    if (profileIds) q = q.where("profileId", "in", profileIds);
    const rows = await q.execute();
    const result = new Map<string, StateCounts>();
    for (const row of rows) {
      const counts = result.get(row.profileId) ?? emptyCounts();
      if ((userStates as readonly string[]).includes(row.state)) {
        counts[row.state as UserState] = Number(row.n);
      }
      result.set(row.profileId, counts);
    }
    return result;
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
