import { randomUUID } from "node:crypto";
import type { Db } from "../../server/store/db";
import type { UserTable } from "../../server/store/schema";

/**
 * Inserts users straight into the store (for tests that need many users in a given state fast).
 * @example await insertUsers(db, profileId, 3, { state: "active" });
 */
export async function insertUsers(
  db: Db,
  profileId: string,
  count: number,
  overrides: Partial<UserTable> & { domain?: string; prefix?: string } = {},
): Promise<UserTable[]> {
  const { domain = "contoso.com", prefix = "user", ...rest } = overrides;
  const now = new Date().toISOString();
  const rows: UserTable[] = Array.from({ length: count }, (_, i) => {
    const address = `${prefix}${String(i).padStart(5, "0")}@${domain}`;
    return {
      id: randomUUID(),
      profileId,
      address,
      addressLower: address.toLowerCase(),
      displayName: `User ${i}`,
      state: "not-activated",
      stateBefore: null,
      mailboxKind: null,
      lastCheckedAt: null,
      lastError: null,
      entraObjectId: null,
      lastSyncAt: null,
      syncErrors: null,
      failureCause: null,
      syncCause: null,
      failureSince: null,
      failureSeenAt: null,
      primaryAddress: null,
      activeSince: null,
      createdAt: now,
      updatedAt: now,
      ...rest,
    };
  });
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto("users")
      .values(rows.slice(i, i + 500))
      .execute();
  }
  return rows;
}
