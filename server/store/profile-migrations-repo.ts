import type { Selectable } from "kysely";
import type { Db } from "./db-types";
import type { ProfileMigrationResultTable, ProfileMigrationTable } from "./schema";

export type ProfileMigrationRow = Selectable<ProfileMigrationTable>;
export type ProfileMigrationResultRow = Selectable<ProfileMigrationResultTable>;

/** One result row with its user's address and state. */
export interface MigrationUserRow extends ProfileMigrationResultRow {
  address: string;
  state: string;
}

/** The SQL of profile migrations (Move to Graph) and their per-user results. */
export class ProfileMigrationRepository {
  constructor(private readonly db: Db) {}

  async insert(row: ProfileMigrationRow): Promise<void> {
    await this.db.insertInto("profileMigrations").values(row).execute();
  }

  find(id: string): Promise<ProfileMigrationRow | undefined> {
    return this.db.selectFrom("profileMigrations").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findByDryRunJob(jobId: string): Promise<ProfileMigrationRow | undefined> {
    return this.db
      .selectFrom("profileMigrations")
      .selectAll()
      .where("dryRunJobId", "=", jobId)
      .executeTakeFirst();
  }

  findByRecheckJob(jobId: string): Promise<ProfileMigrationRow | undefined> {
    return this.db
      .selectFrom("profileMigrations")
      .selectAll()
      .where("recheckJobId", "=", jobId)
      .executeTakeFirst();
  }

  latest(profileId: string): Promise<ProfileMigrationRow | undefined> {
    return this.db
      .selectFrom("profileMigrations")
      .selectAll()
      .where("profileId", "=", profileId)
      .orderBy("createdAt", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
  }

  /** Marks the profile's earlier dry runs that were never applied as superseded. */
  async supersede(profileId: string, at: string): Promise<void> {
    await this.db
      .updateTable("profileMigrations")
      .set({ state: "superseded", updatedAt: at })
      .where("profileId", "=", profileId)
      .where("state", "=", "created")
      .execute();
  }

  /** Changes a migration only if it is still in `fromState`; false when someone else moved it. */
  async update(
    id: string,
    fromState: string,
    values: Partial<Omit<ProfileMigrationRow, "id" | "profileId">>,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable("profileMigrations")
      .set(values)
      .where("id", "=", id)
      .where("state", "=", fromState)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async setOutOfScopeResult(id: string, result: string, at: string): Promise<void> {
    await this.db
      .updateTable("profileMigrations")
      .set({ outOfScopeResult: result, updatedAt: at })
      .where("id", "=", id)
      .execute();
  }

  /** Writes (or rewrites, on a retried item) one user's dry-run result. */
  async upsertResult(row: ProfileMigrationResultRow): Promise<void> {
    await this.db
      .insertInto("profileMigrationResults")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["migrationId", "userId"]).doUpdateSet({
          category: row.category,
          code: row.code,
          message: row.message,
          remediation: row.remediation,
          retryAt: row.retryAt,
          checkedAt: row.checkedAt,
        }),
      )
      .execute();
  }

  async setRecheck(migrationId: string, userId: string, recheck: "pass" | "fail"): Promise<void> {
    await this.db
      .updateTable("profileMigrationResults")
      .set({ recheck })
      .where("migrationId", "=", migrationId)
      .where("userId", "=", userId)
      .execute();
  }

  /** Counts by category. */
  async counts(migrationId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom("profileMigrationResults")
      .select(["category", (eb) => eb.fn.countAll<number>().as("n")])
      .where("migrationId", "=", migrationId)
      .groupBy("category")
      .execute();
    return new Map(rows.map((r) => [r.category, Number(r.n)]));
  }

  /** Results with the users' addresses, failures first, then by address. */
  users(migrationId: string, limit: number): Promise<MigrationUserRow[]> {
    return this.db
      .selectFrom("profileMigrationResults as r")
      .innerJoin("users as u", "u.id", "r.userId")
      .selectAll("r")
      .select(["u.address", "u.state"])
      .where("r.migrationId", "=", migrationId)
      .orderBy((eb) => eb.case().when("r.category", "=", "pass").then(1).else(0).end())
      .orderBy("u.addressLower")
      .limit(limit)
      .execute();
  }

  /** Users whose dry run did not pass (the recheck after apply takes them). */
  async failedUserIds(migrationId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("profileMigrationResults")
      .select("userId")
      .where("migrationId", "=", migrationId)
      .where("category", "!=", "pass")
      .execute();
    return rows.map((r) => r.userId);
  }

  /** Users the recheck found still failing. */
  async recheckFailedUserIds(migrationId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("profileMigrationResults")
      .select("userId")
      .where("migrationId", "=", migrationId)
      .where("recheck", "=", "fail")
      .execute();
    return rows.map((r) => r.userId);
  }

  /** Live service keys that reach the profile (its own and unscoped ones): their scopes, as JSON lists. */
  async keyScopes(profileId: string, now: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("serviceKeys")
      .select("scopes")
      .where((eb) => eb.or([eb("profileId", "=", profileId), eb("profileId", "is", null)]))
      .where("revokedAt", "is", null)
      .where((eb) => eb.or([eb("expiresAt", "is", null), eb("expiresAt", ">", now)]))
      .execute();
    return rows.map((r) => r.scopes);
  }

  /** Bumps `updatedAt` of every mailbox of the profile, so `updatedSince` roster readers see the change. */
  async touchUsers(profileId: string, at: string): Promise<void> {
    await this.db.updateTable("users").set({ updatedAt: at }).where("profileId", "=", profileId).execute();
  }
}
