import type { Kysely } from "kysely";
import type { Database } from "./schema";

/** Platform settings live in the `settings` table under this prefix, one row per setting, JSON values. */
const PREFIX = "setting.";
/** The first start's one-time setup token (its hash), outside the settings' prefix. */
const SETUP_KEY = "setup_token_hash";

/** Platform settings: the only SQL about them. */
export class SettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every stored setting, parsed (unreadable values are skipped, so defaults apply). */
  async all(): Promise<Record<string, unknown>> {
    const rows = await this.db
      .selectFrom("settings")
      .select(["key", "value"])
      .where("key", ">=", PREFIX)
      .where("key", "<", `${PREFIX}\u{10FFFF}`)
      .execute();
    const result: Record<string, unknown> = {};
    for (const row of rows) {
      try {
        result[row.key.slice(PREFIX.length)] = JSON.parse(row.value);
      } catch {
        // a hand-edited, broken value: fall back to the default
      }
    }
    return result;
  }

  /** The hash of the one-time setup token, if one is waiting. */
  async setupTokenHash(): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("settings")
      .select("value")
      .where("key", "=", SETUP_KEY)
      .executeTakeFirst();
    return row?.value;
  }

  /** Replaces (or, with undefined, removes) the one-time setup token's hash. */
  async setSetupTokenHash(hash: string | undefined): Promise<void> {
    await this.db.deleteFrom("settings").where("key", "=", SETUP_KEY).execute();
    if (hash !== undefined) {
      await this.db.insertInto("settings").values({ key: SETUP_KEY, value: hash }).execute();
    }
  }

  /** Stores the given settings (insert or replace each). */
  async put(values: Record<string, unknown>): Promise<void> {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) continue;
      const key = PREFIX + name;
      const json = JSON.stringify(value);
      await this.db
        .insertInto("settings")
        .values({ key, value: json })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value: json }))
        .execute();
    }
  }
}
