import type { Selectable } from "kysely";
import type { ProfileTable } from "../../server/store/schema";
import { ProfileRepository } from "../../server/store/profiles-repo";
import { dbOf, type StoreHolder } from "./store";

/** Columns a fixture may set on a profile. */
export type ProfileFixture = Partial<Omit<ProfileTable, "id" | "name" | "nameLower">>;

/**
 * Sets columns of one profile or several, as the panel or the monitor would have.
 * @example await setProfile(s.ctx, profileId, { syncEnabled: 0 });
 */
export async function setProfile(
  holder: StoreHolder,
  profileIds: string | readonly string[],
  values: ProfileFixture,
): Promise<void> {
  await dbOf(holder)
    .updateTable("profiles")
    .set(values)
    .where("id", "in", typeof profileIds === "string" ? [profileIds] : profileIds)
    .execute();
}

/** {@link setProfile} for every profile. */
export async function setEveryProfile(holder: StoreHolder, values: ProfileFixture): Promise<void> {
  await dbOf(holder).updateTable("profiles").set(values).execute();
}

/**
 * Sets or clears a profile's open alert (what the monitor raises), stored as JSON.
 * @example await setProfileAlert(s.ctx, profileId, { kind: "failure-share", message: "60% failed", since: nowIso() });
 */
export async function setProfileAlert(
  holder: StoreHolder,
  profileId: string,
  alert: { kind: string; message: string; since: string } | null,
): Promise<void> {
  await setProfile(holder, profileId, { alert: alert === null ? null : JSON.stringify(alert) });
}

/** A profile's row as stored (its alert as JSON); throws when there is none. */
export async function profileRow(holder: StoreHolder, profileId: string): Promise<Selectable<ProfileTable>> {
  return dbOf(holder)
    .selectFrom("profiles")
    .selectAll()
    .where("id", "=", profileId)
    .executeTakeFirstOrThrow();
}

/** The profile named `name` (exactly); throws when there is none. */
export async function profileByName(holder: StoreHolder, name: string): Promise<Selectable<ProfileTable>> {
  return dbOf(holder).selectFrom("profiles").selectAll().where("name", "=", name).executeTakeFirstOrThrow();
}

/**
 * Makes these user principal names the profile's admins (replacing the list), through the repository.
 * @example await setProfileAdmins(s.ctx, profileId, ["pa@contoso.com"]);
 */
export async function setProfileAdmins(
  holder: StoreHolder,
  profileId: string,
  userPrincipalNames: string[],
): Promise<void> {
  await new ProfileRepository(dbOf(holder)).setAdmins(profileId, userPrincipalNames);
}

/**
 * Creates a profile through the repository; answers its id.
 * @example const profileId = await createProfile(store, "P1");
 */
export async function createProfile(holder: StoreHolder, name: string): Promise<string> {
  return (await new ProfileRepository(dbOf(holder)).create({ name })).id;
}
