import type { Selectable } from "kysely";
import { credentialDeadlinesFor, type CredentialDeadline } from "../../server/services/credential-deadlines";
import type { CredentialAlertTable, CredentialExpiryTable } from "../../server/store/schema";
import { dbOf, storeAccessOf, type StoreHolder } from "./store";

/**
 * The overview's credential deadlines of these profiles at `now` (services/credential-deadlines.ts).
 * @example expect(await deadlinesOf(s.ctx, [profileId], Date.now())).toEqual([]);
 */
export function deadlinesOf(
  holder: StoreHolder,
  profileIds: readonly string[] | null,
  now: number,
): Promise<CredentialDeadline[]> {
  return credentialDeadlinesFor(storeAccessOf(holder), profileIds, now);
}

/** A profile's stored credential expiry (what Exchange said); throws when there is none. */
export async function credentialExpiryRow(
  holder: StoreHolder,
  profileId: string,
): Promise<Selectable<CredentialExpiryTable>> {
  return dbOf(holder)
    .selectFrom("credentialExpiry")
    .selectAll()
    .where("profileId", "=", profileId)
    .executeTakeFirstOrThrow();
}

/** The advance alerts sent for a profile's credentials. */
export async function credentialAlertRows(
  holder: StoreHolder,
  profileId: string,
): Promise<Selectable<CredentialAlertTable>[]> {
  return dbOf(holder).selectFrom("credentialAlerts").selectAll().where("profileId", "=", profileId).execute();
}
