import type { Db } from "./db-types";

/** A profile's access configuration as the deadline rules read it (settings JSON, never the secret). */
export interface DeadlineAccessRow {
  profileId: string;
  profileName: string;
  syncEnabled: number;
  type: string;
  settings: string;
}

/** SQL of credentials and deadlines: access rows, the password expiry Exchange told, alerts sent. */
export class CredentialDeadlinesRepository {
  constructor(private readonly db: Db) {}

  /** Configured profiles (all, or the given ids) with their access type and settings. */
  accessRows(profileIds: readonly string[] | null): Promise<DeadlineAccessRow[]> {
    if (profileIds && profileIds.length === 0) return Promise.resolve([]);
    let q = this.db
      .selectFrom("profiles")
      .innerJoin("mailboxAccess", "mailboxAccess.profileId", "profiles.id")
      .select([
        "profiles.id as profileId",
        "profiles.name as profileName",
        "profiles.syncEnabled",
        "mailboxAccess.type",
        "mailboxAccess.settings",
      ]);
    if (profileIds) q = q.where("profiles.id", "in", profileIds);
    return q.execute();
  }

  /** Password expiries Exchange told, by profile. */
  async passwordExpiries(
    profileIds: readonly string[] | null,
  ): Promise<Map<string, { expiresAt: string | null; checkedAt: string }>> {
    if (profileIds && profileIds.length === 0) return new Map();
    let q = this.db
      .selectFrom("credentialExpiry")
      .select(["profileId", "expiresAt", "checkedAt"])
      .where("kind", "=", "password");
    if (profileIds) q = q.where("profileId", "in", profileIds);
    const rows = await q.execute();
    return new Map(rows.map((r) => [r.profileId, { expiresAt: r.expiresAt, checkedAt: r.checkedAt }]));
  }

  /** Stores (or replaces) what Exchange told of the password's expiry. */
  async savePasswordExpiry(profileId: string, expiresAt: string | null, checkedAt: string): Promise<void> {
    await this.db
      .insertInto("credentialExpiry")
      .values({ profileId, kind: "password", expiresAt, checkedAt })
      .onConflict((oc) => oc.columns(["profileId", "kind"]).doUpdateSet({ expiresAt, checkedAt }))
      .execute();
  }

  /** Forgets a stored password expiry (the password was replaced, or the type changed). */
  async forgetPasswordExpiry(profileId: string): Promise<void> {
    await this.db
      .deleteFrom("credentialExpiry")
      .where("profileId", "=", profileId)
      .where("kind", "=", "password")
      .execute();
  }

  /** Every advance alert recorded, as `profileId kind key threshold` strings. */
  async sentKeys(): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom("credentialAlerts")
      .select(["profileId", "kind", "credentialKey", "thresholdDays"])
      .execute();
    return new Set(rows.map((r) => sentKey(r.profileId, r.kind, r.credentialKey, r.thresholdDays)));
  }

  /** Profiles with a recorded alert, by kind (for the end user's view and the overview). */
  async recorded(): Promise<Array<{ profileId: string; kind: string; credentialKey: string }>> {
    return this.db
      .selectFrom("credentialAlerts")
      .select(["profileId", "kind", "credentialKey"])
      .distinct()
      .execute();
  }

  /** Records that an alert was sent; false when it already was (another instance, an earlier pass). */
  async markSent(row: {
    profileId: string;
    kind: string;
    credentialKey: string;
    thresholdDays: number;
    sentAt: string;
  }): Promise<boolean> {
    const result = await this.db
      .insertInto("credentialAlerts")
      .values(row)
      .onConflict((oc) => oc.columns(["profileId", "kind", "credentialKey", "thresholdDays"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** Drops the alerts of a replaced credential (another due date): the new one starts afresh. */
  async forgetOtherCredentials(profileId: string, kind: string, credentialKey: string): Promise<number> {
    const result = await this.db
      .deleteFrom("credentialAlerts")
      .where("profileId", "=", profileId)
      .where("kind", "=", kind)
      .where("credentialKey", "!=", credentialKey)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Drops alerts of kinds a profile no longer has (the credential went away, e.g. a certificate replaced the secret). */
  async forgetKindsExcept(profileId: string, kinds: readonly string[]): Promise<void> {
    let q = this.db.deleteFrom("credentialAlerts").where("profileId", "=", profileId);
    if (kinds.length > 0) q = q.where("kind", "not in", kinds);
    await q.execute();
  }
}

/** The key of one sent alert in sentKeys(). */
export const sentKey = (profileId: string, kind: string, credentialKey: string, thresholdDays: number) =>
  `${profileId}\u0000${kind}\u0000${credentialKey}\u0000${thresholdDays}`;
