import type { Db } from "./db-types";
import type { MailboxAccessTable, OAuthAuthorizationTable } from "./schema";

export type OAuthAuthorizationRow = OAuthAuthorizationTable;

/** The access type whose rows this repository touches. */
export const OAUTH_TYPE = "ews-oauth-impersonation";

/**
 * SQL for Connect account: pending authorizations (single use, expiring) and the OAuth type's row of
 * `mailbox_access` (its sealed token cache and connected account), written with compare-and-swap so
 * two instances never overwrite each other's newer state.
 */
export class OAuthRepository {
  constructor(private readonly db: Db) {}

  insertAuthorization(row: OAuthAuthorizationRow): Promise<unknown> {
    return this.db.insertInto("oauthAuthorizations").values(row).execute();
  }

  /** Marks a one-time URL opened (once, before it expires), binding it to a state, browser and verifier. */
  async openAuthorization(
    id: string,
    now: string,
    set: { stateHash: string; bindingHash: string; sealedVerifier: string; expiresAt: string },
  ): Promise<OAuthAuthorizationRow | undefined> {
    const result = await this.db
      .updateTable("oauthAuthorizations")
      .set({ ...set, openedAt: now })
      .where("id", "=", id)
      .where("openedAt", "is", null)
      .where("expiresAt", ">", now)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    return this.db.selectFrom("oauthAuthorizations").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** Consumes the authorization a callback's state names (once, before it expires); undefined when unknown, used or expired. */
  async completeAuthorization(stateHash: string, now: string): Promise<OAuthAuthorizationRow | undefined> {
    const row = await this.db
      .selectFrom("oauthAuthorizations")
      .selectAll()
      .where("stateHash", "=", stateHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const result = await this.db
      .updateTable("oauthAuthorizations")
      .set({ completedAt: now })
      .where("id", "=", row.id)
      .where("completedAt", "is", null)
      .where("expiresAt", ">", now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? row : undefined;
  }

  /** A one-time URL not opened yet and not expired, with its profile's name (for the link's first page). */
  findPendingAuthorization(
    id: string,
    now: string,
  ): Promise<(OAuthAuthorizationRow & { profileName: string }) | undefined> {
    return this.db
      .selectFrom("oauthAuthorizations")
      .innerJoin("profiles", "profiles.id", "oauthAuthorizations.profileId")
      .selectAll("oauthAuthorizations")
      .select("profiles.name as profileName")
      .where("oauthAuthorizations.id", "=", id)
      .where("oauthAuthorizations.openedAt", "is", null)
      .where("oauthAuthorizations.expiresAt", ">", now)
      .executeTakeFirst();
  }

  /** Drops authorizations expired before `before`. */
  async deleteExpiredAuthorizations(before: string): Promise<number> {
    const result = await this.db
      .deleteFrom("oauthAuthorizations")
      .where("expiresAt", "<", before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** The profile's OAuth access row, or undefined when the profile uses another type or none. */
  findAccess(profileId: string): Promise<MailboxAccessTable | undefined> {
    return this.db
      .selectFrom("mailboxAccess")
      .selectAll()
      .where("profileId", "=", profileId)
      .where("type", "=", OAUTH_TYPE)
      .executeTakeFirst();
  }

  /** Writes a refreshed token cache (and settings) when the sealed value is still `expectedSealed`. */
  async swapTokenCache(
    profileId: string,
    expectedSealed: string | null,
    next: { sealedSecret: string; settings: string },
  ): Promise<boolean> {
    let query = this.db
      .updateTable("mailboxAccess")
      .set(next)
      .where("profileId", "=", profileId)
      .where("type", "=", OAUTH_TYPE);
    query =
      expectedSealed === null
        ? query.where("sealedSecret", "is", null)
        : query.where("sealedSecret", "=", expectedSealed);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** A new version of the OAuth row (connect, disconnect), when the version is still `expectedVersion`. */
  async saveVersion(
    profileId: string,
    expectedVersion: number,
    next: { sealedSecret: string | null; settings: string; updatedAt: string; updatedBy: string },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable("mailboxAccess")
      .set({ ...next, version: expectedVersion + 1 })
      .where("profileId", "=", profileId)
      .where("type", "=", OAUTH_TYPE)
      .where("version", "=", expectedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
