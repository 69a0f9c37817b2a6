import type { Db } from "./db-types";
import type { MailboxAccessTable } from "./schema";

export type MailboxAccessRow = MailboxAccessTable;

/** The profile's mailbox access configuration (at most one row per profile) and connectivity tests. */
export class MailboxAccessRepository {
  constructor(private readonly db: Db) {}

  find(profileId: string): Promise<MailboxAccessRow | undefined> {
    return this.db
      .selectFrom("mailboxAccess")
      .selectAll()
      .where("profileId", "=", profileId)
      .executeTakeFirst();
  }

  /** The type and non-secret settings of the given profiles' access (all when omitted). */
  async typesAndSettings(
    profileIds?: readonly string[],
  ): Promise<Array<{ profileId: string; type: string; settings: string }>> {
    if (profileIds?.length === 0) return [];
    let q = this.db.selectFrom("mailboxAccess").select(["profileId", "type", "settings"]);
    if (profileIds) q = q.where("profileId", "in", [...profileIds]);
    return q.execute();
  }

  /** Inserts version 1 or replaces the row when `expectedVersion` still matches; false when it changed meanwhile. */
  async save(row: MailboxAccessRow, expectedVersion: number | null): Promise<boolean> {
    if (expectedVersion === null) {
      await this.db.insertInto("mailboxAccess").values(row).execute();
      return true;
    }
    const result = await this.db
      .updateTable("mailboxAccess")
      .set({
        type: row.type,
        settings: row.settings,
        sealedSecret: row.sealedSecret,
        version: row.version,
        updatedAt: row.updatedAt,
        updatedBy: row.updatedBy,
      })
      .where("profileId", "=", row.profileId)
      .where("version", "=", expectedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  insertConnectivityTest(row: {
    id: string;
    profileId: string;
    startedAt: string;
    finishedAt: string;
    ok: number;
    result: string;
    createdBy: string;
  }): Promise<unknown> {
    return this.db.insertInto("connectivityTests").values(row).execute();
  }

  latestConnectivityTest(profileId: string) {
    return this.db
      .selectFrom("connectivityTests")
      .selectAll()
      .where("profileId", "=", profileId)
      .orderBy("startedAt", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
  }

  /** The address of the profile's first user (by address), the default target of a connectivity test. */
  async firstUserAddress(profileId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("users")
      .select("address")
      .where("profileId", "=", profileId)
      .where("state", "!=", "paused")
      .orderBy("addressLower")
      .limit(1)
      .executeTakeFirst();
    return row?.address;
  }
}
