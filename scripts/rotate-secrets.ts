/**
 * `npm run rotate-secrets`: re-seals every sealed value with the current `SECRET_KEY`, so that an old
 * key can be dropped from `SECRET_KEY_PREVIOUS`. Run it after deploying the new key (every instance
 * with `SECRET_KEY=<new>` and `SECRET_KEY_PREVIOUS=<old>`); it is safe to run again and while the
 * server runs (each row is swapped only if it still holds the value that was read).
 *
 * Sealed columns (grep `sealer.seal`): `mailbox_access.sealed_secret` (context: the profile id) and
 * `oauth_authorizations.sealed_verifier` (context: the row id; short-lived PKCE verifiers).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../server/config";
import { Sealer, resolveSecretKey } from "../server/secrets/sealer";
import { openStore, type Db } from "../server/store/db";

export interface RotationResult {
  /** Values re-sealed with the current key. */
  resealed: number;
  /** Values already sealed with the current key. */
  current: number;
  /** Values no configured key opens (listed by table and row; left as they are). */
  unreadable: string[];
}

/**
 * Re-seals every stale sealed value of the store with the sealer's current key.
 * @example const result = await rotateSecrets(store.db, new Sealer(newKey, [oldKey]));
 */
export async function rotateSecrets(db: Db, sealer: Sealer): Promise<RotationResult> {
  const result: RotationResult = { resealed: 0, current: 0, unreadable: [] };
  const reseal = (sealed: string, context: string, where: string): string | undefined => {
    if (!sealer.isStale(sealed)) {
      result.current++;
      return undefined;
    }
    try {
      return sealer.seal(sealer.open(sealed, context), context);
    } catch {
      result.unreadable.push(where);
      return undefined;
    }
  };

  const access = await db
    .selectFrom("mailboxAccess")
    .select(["profileId", "sealedSecret"])
    .where("sealedSecret", "is not", null)
    .execute();
  for (const row of access) {
    const next = reseal(row.sealedSecret!, row.profileId, `mailbox_access ${row.profileId}`);
    if (!next) continue;
    // Compare-and-swap: a token refresh that wrote meanwhile wins (it sealed with the current key).
    const updated = await db
      .updateTable("mailboxAccess")
      .set({ sealedSecret: next })
      .where("profileId", "=", row.profileId)
      .where("sealedSecret", "=", row.sealedSecret)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) result.resealed++;
  }

  const verifiers = await db
    .selectFrom("oauthAuthorizations")
    .select(["id", "sealedVerifier"])
    .where("sealedVerifier", "is not", null)
    .execute();
  for (const row of verifiers) {
    const next = reseal(row.sealedVerifier!, row.id, `oauth_authorizations ${row.id}`);
    if (!next) continue;
    const updated = await db
      .updateTable("oauthAuthorizations")
      .set({ sealedVerifier: next })
      .where("id", "=", row.id)
      .where("sealedVerifier", "=", row.sealedVerifier)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) result.resealed++;
  }
  return result;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    sqliteFile: path.join(config.dataDir, "mailbox-sync.db"),
  });
  try {
    const sealer = new Sealer(
      resolveSecretKey(config.secretKey, config.dataDir).key,
      config.secretKeyPrevious,
    );
    const result = await rotateSecrets(store.db, sealer);
    console.log(
      `re-sealed ${result.resealed} value(s) with key ${sealer.keyId}; ${result.current} already current.`,
    );
    if (result.unreadable.length) {
      console.error(
        `${result.unreadable.length} value(s) open with no configured key (add the key that sealed them to SECRET_KEY_PREVIOUS):\n  ${result.unreadable.join("\n  ")}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await store.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
