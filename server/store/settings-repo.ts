import type { Kysely } from "kysely";
import type { Database } from "./schema";

/** Platform settings live in the `settings` table under this prefix, one row per setting, JSON values. */
const PREFIX = "setting.";

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
