import type { Selectable } from "kysely";
import type { AccessType } from "../../contract/common";
import { rotateSecrets } from "../../scripts/rotate-secrets";
import type { Sealer } from "../../server/secrets/sealer";
import type { MailboxAccessTable } from "../../server/store/schema";
import { dbOf, type StoreHolder } from "./store";

type MailboxAccessRow = Selectable<MailboxAccessTable>;

/**
 * Writes a profile's mailbox access row straight into the store (without the checks saving it through the
 * API runs, e.g. a DNS look-up of Exchange Online): `settings` is stored as JSON, the secret as given.
 * @example await insertMailboxAccess(s.ctx, profileId, { type: "ews-basic-impersonation" });
 */
export async function insertMailboxAccess(
  holder: StoreHolder,
  profileId: string,
  access: { type: AccessType; settings?: unknown; sealedSecret?: string | null; updatedBy?: string },
): Promise<void> {
  await dbOf(holder)
    .insertInto("mailboxAccess")
    .values({
      profileId,
      type: access.type,
      settings: JSON.stringify(access.settings ?? {}),
      sealedSecret: access.sealedSecret ?? null,
      version: 1,
      updatedAt: new Date().toISOString(),
      updatedBy: access.updatedBy ?? "test",
    })
    .execute();
}

/**
 * Changes a profile's stored mailbox access under the server's feet (as another instance or an older
 * version would have written it): `settings` is stored as JSON when given.
 * @example await updateMailboxAccess(s.ctx, profileId, { sealedSecret: wrong, version: row.version + 1 });
 */
export async function updateMailboxAccess(
  holder: StoreHolder,
  profileId: string,
  values: { settings?: unknown; sealedSecret?: string | null; version?: number },
): Promise<void> {
  const { settings, ...rest } = values;
  await dbOf(holder)
    .updateTable("mailboxAccess")
    .set({ ...rest, ...(settings === undefined ? {} : { settings: JSON.stringify(settings) }) })
    .where("profileId", "=", profileId)
    .execute();
}

/** A profile's stored mailbox access row (settings as stored JSON, the sealed secret); throws when none. */
export async function mailboxAccessRow(holder: StoreHolder, profileId: string): Promise<MailboxAccessRow> {
  return dbOf(holder)
    .selectFrom("mailboxAccess")
    .selectAll()
    .where("profileId", "=", profileId)
    .executeTakeFirstOrThrow();
}

/** Every stored mailbox access row (to look for secrets in them). */
export async function mailboxAccessRows(holder: StoreHolder): Promise<MailboxAccessRow[]> {
  return dbOf(holder).selectFrom("mailboxAccess").selectAll().execute();
}

/** Every stored OAuth authorization row (Connect account's one-time URLs). */
export async function oauthAuthorizationRows(holder: StoreHolder) {
  return dbOf(holder).selectFrom("oauthAuthorizations").selectAll().execute();
}

/**
 * `npm run rotate-secrets` on a store of the test's own: every sealed value re-sealed with `sealer`'s key.
 * @example expect(await rotateStoredSecrets(store, new Sealer(KEY_2, [KEY_1]))).toMatchObject({ resealed: 1 });
 */
export function rotateStoredSecrets(holder: StoreHolder, sealer: Sealer) {
  return rotateSecrets(dbOf(holder), sealer);
}
